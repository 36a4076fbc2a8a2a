import { parentPort, workerData } from 'node:worker_threads';
import type { PlanInput } from './plan-compute.js';
import { computePlan } from './plan-compute.js';

// One plan per worker: the server starts it with the input and reads one message back.
parentPort?.postMessage(await computePlan(workerData as PlanInput));
