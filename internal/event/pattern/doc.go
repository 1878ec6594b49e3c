// Package pattern compiles EventBridge event patterns (spec B2) and matches raw JSON events
// against them, one pattern or many at once. It is pure: no I/O, no logging, no global
// state; it does not know about buses, rules or targets.
//
// # Design
//
// Compile parses a pattern with its own small JSON parser (which keeps member order, byte
// offsets for Line/Col errors and resolves duplicate keys, the last winning), validates
// every operator and expands $or into disjunctive normal form: a list of conjunctions
// ("branches") of leaf conditions, each a path of object keys and a list of ORed match
// values.
//
// A Matcher interns every condition path into a trie. Matching scans the event bytes once
// with a hand-written validating scanner that walks the trie: members whose key is not in
// it are validated without being decoded (an iterative skipper keeps one bit per open
// container), and only leaves at pattern paths are recorded (value, float64 for numbers,
// and the array trail used for array consistency) in pooled scratch memory. Strings, most
// of an event's bytes, are scanned eight bytes at a time: one SWAR expression marks quotes,
// backslashes and control bytes, its lowest mark being exact; the scanning loops inline
// this step, so that a string without escapes costs no call, and recorded strings gather
// whether they have non-ASCII bytes (to check their UTF-8) in the same pass. A trie node
// looks member names up in an open-addressing table of (first eight bytes, length) words,
// at most half full; a name shorter than eight bytes takes its head word from the event in
// one load. Names are looked up as they stand in the event unless they have escapes or the
// node has a key containing U+FFFD: trie keys are decoded, valid UTF-8, so an invalid name
// can only match such a key, and valid names need no encoding check. A later duplicate key
// is noticed with a per-node stamp of the object it was last seen in, so that members cost
// no search of their siblings.
//
// MatchValid, for events known to be valid JSON (decoded or encoded by the caller), only
// delimits the members whose key is not in the trie (quotes found eight bytes at a time,
// brackets counted outside strings) instead of validating them.
//
// Every branch is indexed by one anchor, the cheapest among: an exact value (string,
// number, literal, case-folded string) in an open-addressing hash table behind a blocked
// Bloom filter (both bits of a key in one word); a pair of exact values on two paths (for
// branches whose single conditions are all common, such as a source and an account); a
// prefix or suffix (plain or case-folded, wildcards contributing their literal ends) in
// per-path radix tries walked once per value. Branches with nothing indexable are checked
// when the event has a field at the path of one of their presence-requiring conditions, and
// branches made only of exists:false conditions are checked for every event. An event's
// hash keys are queued and probed together: the filter words of all keys are loaded first,
// then the home slots of those that pass, then the postings are read, so that the cache
// misses of the table (which outgrows the caches at 10k+ patterns) overlap instead of
// queueing one behind the other.
//
// Candidates are deduplicated and verified against a compact program of their conditions,
// laid out contiguously per branch so that a candidate costs a few adjacent cache lines
// (their first lines are loaded together before verification, so that the misses overlap).
// Exact, prefix and suffix strings carry their first sixteen bytes in the instruction, so
// that strings of up to 16 bytes (sources, accounts, most states and names) are compared
// without reading the string arena, another cache miss at 10k+ patterns. Matching allocates
// nothing in the steady state and its cost follows the event's size and its candidates, not
// the number of patterns.
//
// A block-at-a-time first pass (a bitmap of the quotes, backslashes and control bytes of
// the whole event, 64 bytes to a word, strings then ended with a count of trailing zeros)
// was tried: it executed ~10 % fewer instructions than the scanner it replaced but was not
// faster, that scanner already running at a high instruction rate, so it was not kept.
//
// # Choices where the spec leaves room
//
//   - Nesting is respected (quamina): {"a":{"b":[1]}} does not match {"a.b":1}.
//   - Numbers compare as IEEE-754 doubles: 300, 300.0 and 3e2 are equal, and so are integers
//     that round to the same double. Event numbers beyond the double range become ±Inf;
//     pattern numbers beyond it are rejected. No ±5e9 limit is applied.
//   - Strings compare byte-exactly after JSON unescaping: no IP-address or Unicode
//     normalisation. As with encoding/json, invalid UTF-8 and lone surrogates in events and
//     patterns read as U+FFFD.
//   - Case-insensitive operators use simple case folding (strings.EqualFold semantics):
//     "straße" does not equal "STRASSE".
//   - Empty arrays and empty objects in patterns are rejected; exists must be the only
//     element of its array.
//   - anything-but X holds for a present leaf that X does not match, for every form of X:
//     a string list is satisfied by numbers and null, a number list by strings, and
//     {"prefix": …}, {"suffix": …}, {"equals-ignore-case": …} and {"wildcard": …} by
//     non-strings.
//   - "$or" is an ordinary field name when its value is not an array, or when an element is
//     not an object or uses an operator name (prefix, numeric, …) as a key (event-ruler's
//     back-compat rule). The 1000-combination limit counts the conjunctions $or expand to.
//   - Duplicate keys in events also resolve to the last occurrence, as encoding/json does.
//   - Array consistency (B2.3 rule 4): each leaf carries, for every event array that holds
//     an object on its path, the element index; a branch matches when one leaf per
//     condition can be chosen with no two disagreeing on an array they share. Arrays of
//     scalars do not constrain (["x","y"] satisfies two conditions on one path), and
//     exists:false holds when no leaf exists anywhere at its path.
//   - Limits: patterns of at most 4096 bytes and 100 levels of nesting; events nested at
//     most 1000 levels.
package pattern
