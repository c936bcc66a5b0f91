// avro-same: are the values sw wrote (GOT, NDJSON) the values avsc has
// (WANT, one per line in the specification's JSON encoding, as
// avro-read.js prints them)?  FORM is the JSON form of GOT: "avro" (sw's
// --json avro, the specification's encoding) or "plain" (sw's default,
// man/sw-avro.1); "plain:NAME" or "avro:NAME" when each line of GOT is a
// record whose member NAME holds the value (what sw-avro decode --field
// .NAME writes).  Prints each difference with its path; exit 1 if any.
//   node avro-same.js SCHEMA WANT FORM GOT [FORM GOT]...
//
// The normalisation, value by value (WANT's form -> what GOT must hold):
// - null, boolean, int, long, string, enum: the same JSON value;
// - double: the same number; float: the same number once both are rounded
//   to 32 bits (avsc prints a float as the double it widens to,
//   0.10000000149011612; sw prints the shortest text that reads back as the
//   same float, 0.1);
// - bytes, fixed: avro form the same string of code points U+0000-U+00FF;
//   plain form the base64 of those bytes;
// - union: avro form {"branch": value} with the same branch (full name for
//   named types); plain form the bare value of that branch;
// - record: the fields in schema order (no more, no fewer); array, map:
//   element by element;
// - logical types, plain form only (avro form keeps the underlying value):
//   date -> "YYYY-MM-DD"; time-millis -> "HH:MM:SS.fff"; time-micros ->
//   "HH:MM:SS.ffffff"; timestamp-millis -> RFC 3339 UTC with
//   milliseconds and "Z"; timestamp-micros -> the same with
//   microseconds; local-timestamp-* -> the same without "Z"; decimal ->
//   the unscaled two's complement integer with the point put SCALE digits
//   from the right, as a string ("-1234.50", "0.05"); uuid -> the string.
'use strict';
const { readType, lines, program } = require('./avro-types');

// The run's differences and the form being compared (main sets both).
let diffs;
let form;

const latin1 = (s) => Buffer.from(s, 'latin1');
const pad = (n, w) => String(n).padStart(w, '0');

function clock(units, perSec) {
	const secs = Math.floor(units / perSec);
	const frac = units - secs * perSec;
	return { secs, frac: pad(frac, String(perSec).length - 1) };
}

function isoSeconds(secs) {
	return new Date(secs * 1000).toISOString().slice(0, 19);
}

function decimal(bytes, scale) {
	let n = 0n;
	for (const b of bytes)
		n = (n << 8n) | BigInt(b);
	if (bytes.length && bytes[0] & 0x80)
		n -= 1n << BigInt(8 * bytes.length);
	const neg = n < 0n;
	let digits = (neg ? -n : n).toString();
	if (scale > 0) {
		digits = digits.padStart(scale + 1, '0');
		digits = digits.slice(0, -scale) + '.' + digits.slice(-scale);
	}
	return (neg ? '-' : '') + digits;
}

// The plain form of a logical value, or undefined for none.
function plainLogical(t, v) {
	const name = t.typeName.slice('logical:'.length);
	switch (name) {
	case 'date':
		return isoSeconds(v * 86400).slice(0, 10);
	case 'time-millis':
	case 'time-micros': {
		const c = clock(v, name === 'time-millis' ? 1000 : 1000000);
		return isoSeconds(c.secs).slice(11) + '.' + c.frac;
	}
	case 'timestamp-millis':
	case 'timestamp-micros':
	case 'local-timestamp-millis':
	case 'local-timestamp-micros': {
		const c = clock(v, /millis/.test(name) ? 1000 : 1000000);
		return isoSeconds(c.secs) + '.' + c.frac + (/^local/.test(name) ? '' : 'Z');
	}
	case 'decimal':
		return decimal(latin1(v), t.scale);
	default:
		return undefined;
	}
}

function same(t, want, got, path) {
	const bad = () => diffs.push(`${path || '.'}: avsc ${JSON.stringify(want)}, sw ${JSON.stringify(got)}`);
	if (t.typeName.startsWith('logical:')) {
		const p = form === 'plain' ? plainLogical(t, want) : undefined;
		if (p !== undefined)
			return p === got || bad();
		return same(t.underlyingType, want, got, path);
	}
	switch (t.typeName) {
	case 'float':
		return (typeof got === 'number' && Math.fround(got) === Math.fround(want)) || bad();
	case 'bytes':
	case 'fixed':
		return (form === 'plain' ? latin1(want).toString('base64') : want) === got || bad();
	case 'array':
		if (!Array.isArray(got) || got.length !== want.length)
			return bad();
		return want.forEach((w, i) => same(t.itemsType, w, got[i], `${path}[${i}]`));
	case 'map':
		if (got === null || typeof got !== 'object' ||
		    Object.keys(got).sort().join() !== Object.keys(want).sort().join())
			return bad();
		return Object.keys(want).forEach((k) =>
			same(t.valuesType, want[k], got[k], `${path}.${JSON.stringify(k)}`));
	case 'record':
	case 'error':
		if (got === null || typeof got !== 'object' ||
		    Object.keys(got).join() !== t.fields.map((f) => f.name).join())
			return bad();
		return t.fields.forEach((f) => same(f.type, want[f.name], got[f.name], `${path}.${f.name}`));
	case 'union:wrapped': {
		if (want === null)
			return got === null || bad();
		const branch = Object.keys(want)[0];
		const bt = t.types.find((b) => (b.branchName || b.typeName) === branch);
		if (form === 'plain')
			return same(bt, want[branch], got, path);
		if (got === null || typeof got !== 'object' || Object.keys(got).join() !== branch)
			return bad();
		return same(bt, want[branch], got[branch], `${path}<${branch}>`);
	}
	default:
		return JSON.stringify(want) === JSON.stringify(got) || bad();
	}
}

program(module, ([schemaFile, wantFile, ...forms], io) => {
	const type = readType(schemaFile);
	const want = lines(wantFile).map((l) => JSON.parse(l));
	diffs = [];
	for (let k = 0; k < forms.length; k += 2) {
		const [f, member] = forms[k].split(':');
		form = f;
		const got = lines(forms[k + 1]).map((l) =>
			member === undefined ? JSON.parse(l) : JSON.parse(l)[member]);
		if (want.length !== got.length)
			diffs.push(`${forms[k + 1]}: ${want.length} values from avsc, ${got.length} from sw`);
		want.forEach((w, i) => i < got.length &&
			same(type, w, got[i], `${forms[k + 1]}#${i + 1}`));
	}
	for (const d of diffs)
		io.out(d + '\n');
	return diffs.length ? 1 : 0;
});
