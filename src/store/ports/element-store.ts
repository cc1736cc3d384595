import type { ElementEventFilter, ElementEventRecord, ElementStateRecord, NewElementEventRecord } from '../records.js';

/** The supervisor's element events and the last known state of every managed element instance. */
export interface ElementStore {
  /**
   * Append supervisor events in one transaction (the supervisor batches them); ids are
   * assigned in order.
   */
  appendEvents(events: NewElementEventRecord[]): Promise<void>;
  /** Events matching the filter, oldest first (see {@link ElementEventFilter}). */
  listEvents(filter?: ElementEventFilter): Promise<ElementEventRecord[]>;
  /**
   * Replace, atomically, every element state written by `owner` with `states` (a
   * supervisor saves its full snapshot each time).
   */
  saveElementStates(owner: string, states: ElementStateRecord[]): Promise<void>;
  /** Every element state of every owner, ordered by element then instance. */
  listElementStates(): Promise<ElementStateRecord[]>;
}
