/**
 * The tests' real `stargate serve` processes: the same helper the screenshots and the dashboard
 * benchmark use, built with them into dist/tools.
 */
export * from '../tools/server-process.js';
