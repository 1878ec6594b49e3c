//go:build race

package pattern

// raceEnabled says the race detector is on: sync.Pool then drops items at random (so
// allocation counts mean nothing) and everything runs much slower.
const raceEnabled = true
