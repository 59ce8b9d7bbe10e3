// Instants as the API writes them (RFC 3339, UTC, six fractional digits) and as users type them
// (any precision, any offset), compared exactly: JavaScript's Date keeps milliseconds only.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$/;

// Microseconds since the epoch (a BigInt), or null when `text` is not an RFC 3339 instant.
export function micros(text) {
  const m = RFC3339.exec(text || '');
  if (!m) return null;
  const [, year, month, day, hour, minute, second, fraction = '', zone, sign, offsetHours, offsetMinutes] = m;
  let ms = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second);
  if (zone.toUpperCase() !== 'Z') ms -= (sign === '-' ? -1 : 1) * (+offsetHours * 60 + +offsetMinutes) * 60000;
  return BigInt(ms) * 1000n + BigInt((fraction + '000000').slice(0, 6));
}

// Milliseconds since the epoch, for countdowns (whole milliseconds are plenty for a clock).
export function millis(text) {
  const value = micros(text);
  return value === null ? NaN : Number(value / 1000n);
}
