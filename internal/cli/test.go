package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/tocsin/tocsin/internal/alarm/alarmtest"
)

func testCommand() command {
	return command{
		name:    "test",
		args:    "FILE…",
		summary: "Run alarm unit tests (format in docs/testing.md). Ends with 'N passed, N failed'; exit 1 on a failure, 2 on an invalid file.",
		run: func(e Env, pos []string) int {
			if len(pos) == 0 {
				return usageError(e, "test", "name at least one test file")
			}
			tmp, err := os.MkdirTemp("", "tocsin-test-")
			if err != nil {
				fmt.Fprintln(e.Stderr, "tocsin test:", err)
				return 2
			}
			defer os.RemoveAll(tmp)
			passed, failed, invalid := 0, 0, false
			for _, path := range pos {
				f, diags := alarmtest.Load(path, e.LookupEnv)
				if diags.HasErrors() {
					for _, d := range diags.Errors() {
						fmt.Fprintln(e.Stderr, d)
					}
					invalid = true
					continue
				}
				outcomes, err := alarmtest.Run(context.Background(), f, tmp)
				if err != nil {
					fmt.Fprintln(e.Stderr, "tocsin test:", err)
					invalid = true
					continue
				}
				for _, o := range outcomes {
					if o.OK {
						passed++
						continue
					}
					failed++
					fmt.Fprintln(e.Stdout, "FAIL", o)
				}
			}
			fmt.Fprintf(e.Stdout, "%d passed, %d failed\n", passed, failed)
			switch {
			case invalid:
				return 2
			case failed > 0:
				return 1
			}
			return 0
		},
	}
}
