// The schemas of the API's answers, and this type with them, live below both the server and
// its clients (src/api/).
export type { Described } from '../api/described.js';
