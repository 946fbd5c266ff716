/**
 * Practice-run windows, `DAY:HH:MM-DAY:HH:MM` in UTC as Route 53 ARC writes
 * them (`MON:09:00-MON:17:00`). ARC keeps a window within one day; users asked
 * for overnight ones, so here a window may end on the next day, but only when
 * it says so: `FRI:22:00-SAT:02:00`. A window ending before it starts on the
 * same day (`FRI:22:00-FRI:02:00`) is refused rather than guessed at. Pure.
 */

/** Days as a window names them, Monday first (ISO week). */
export const windowDays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] as const;

const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** A window as minutes from Monday 00:00 UTC; `end` may pass the week's end (a Sunday-to-Monday window). */
export interface PracticeWindow {
  start: number;
  end: number;
  /** As written, for messages. */
  text: string;
}

const windowPattern = /^([A-Z]{3}):(\d{2}):(\d{2})-([A-Z]{3}):(\d{2}):(\d{2})$/;

/** The forms a window takes, for messages. */
export const windowForms = '"MON:09:00-MON:17:00" (UTC; an overnight window names the next day: "FRI:22:00-SAT:02:00")';

/** Parses one window; answers what is wrong with it (a message starting with "expected") instead of throwing. */
export function parseWindow(text: string): PracticeWindow | string {
  const match = windowPattern.exec(text);
  if (match === null) return `expected a window such as ${windowForms}, got ${JSON.stringify(text)}`;
  const [, d1 = "", h1 = "", m1 = "", d2 = "", h2 = "", m2 = ""] = match;
  const day1 = windowDays.indexOf(d1 as (typeof windowDays)[number]);
  const day2 = windowDays.indexOf(d2 as (typeof windowDays)[number]);
  if (day1 < 0 || day2 < 0) return `expected days ${windowDays.join(", ")}, got ${JSON.stringify(text)}`;
  const [sh, sm, eh, em] = [h1, m1, h2, m2].map(Number) as [number, number, number, number];
  if (sh > 23 || eh > 24 || sm > 59 || em > 59 || (eh === 24 && em !== 0))
    return `expected times from 00:00 to 24:00, got ${JSON.stringify(text)}`;
  const start = day1 * MINUTES_PER_DAY + sh * 60 + sm;
  const nextDay = (day1 + 1) % 7;
  if (day2 !== day1 && day2 !== nextDay)
    return `expected a window ending the same day or the next (at most 24 hours), got ${JSON.stringify(text)}`;
  const endOfDay = eh * 60 + em;
  const end = (day2 === day1 ? day1 : day1 + 1) * MINUTES_PER_DAY + endOfDay;
  if (end <= start) {
    const overnight = `${d1}:${h1}:${m1}-${windowDays[nextDay]}:${h2}:${m2}`;
    return day2 === day1
      ? `expected the end after the start; an overnight window names the next day (${overnight}), got ${JSON.stringify(text)}`
      : `expected the end after the start, got ${JSON.stringify(text)}`;
  }
  if (end - start > MINUTES_PER_DAY) return `expected a window of at most 24 hours, got ${JSON.stringify(text)}`;
  return { start, end, text };
}

/** Minutes from Monday 00:00 UTC of the week holding `epochSeconds`. */
function minuteOfWeek(epochSeconds: number): number {
  // 1970-01-01 was a Thursday: day 3 of an ISO week.
  const minutes = Math.floor(epochSeconds / 60) + 3 * MINUTES_PER_DAY;
  return ((minutes % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
}

/**
 * Whether the span `[from, from + seconds)` lies wholly inside one window.
 * A window may wrap past Sunday midnight into Monday.
 */
export function spanInsideWindow(window: PracticeWindow, from: number, seconds: number): boolean {
  const start = minuteOfWeek(from) + (from % 60) / 60;
  const length = seconds / 60;
  // The span may sit in this week's occurrence of the window or the one begun the week before.
  return [0, -MINUTES_PER_WEEK].some((shift) => {
    const opens = window.start + shift;
    const closes = window.end + shift;
    return start >= opens && start + length <= closes;
  });
}

/** `2026-12-25`: the UTC date of an epoch second. */
export function utcDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}
