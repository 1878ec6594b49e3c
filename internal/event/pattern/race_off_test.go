//go:build !race

package pattern

// raceEnabled says the race detector is on.
const raceEnabled = false
