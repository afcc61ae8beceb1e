import type { MockControls } from './controls.js';

/** One authenticated request as the surface handlers see it. Handlers are pure: exchange in, answer out. */
export interface Exchange {
  /** The parsed JSON body (an empty object for GETs). */
  body: Record<string, unknown>;
  /** The model name without its control suffix (from the body, or the path for Gemini). */
  model: string;
  controls: MockControls;
  /** Raw query string without `?`. */
  query: string;
  /** Unique, increasing per server: makes response ids. */
  seq: number;
  /** Unix seconds. */
  created: number;
}
