/** The version `stargate --version` prints and the API reports. */
export const VERSION = '0.1.0';
