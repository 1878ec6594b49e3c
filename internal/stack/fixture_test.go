package stack

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata fixtures")

// A fixture is a text file of sections "-- path --" holding the files of a stack, and a
// final "-- want --" section holding the expected diagnostics, one per line, with paths
// relative to the stack directory.
type fixture struct {
	files map[string]string
	order []string
	want  string
}

func readFixture(t *testing.T, path string) fixture {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{files: map[string]string{}}
	var name string
	for _, line := range strings.SplitAfter(string(data), "\n") {
		trimmed := strings.TrimRight(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") {
			name = strings.TrimSuffix(strings.TrimPrefix(trimmed, "-- "), " --")
			if name != "want" {
				f.order = append(f.order, name)
			}
			continue
		}
		if name == "want" {
			f.want += line
		} else if name != "" {
			f.files[name] += line
		}
	}
	return f
}

func (f fixture) write(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range f.files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func (f fixture) encode() string {
	var b strings.Builder
	for _, name := range f.order {
		b.WriteString("-- " + name + " --\n" + f.files[name])
	}
	b.WriteString("-- want --\n" + f.want)
	return b.String()
}

// fixtureEnv is the process environment fixtures see through Options.LookupEnv.
func fixtureEnv(k string) (string, bool) {
	v, ok := map[string]string{
		"SLACK_URL":   "https://hooks.slack.example/T000/B000/XXXX",
		"SHORT_TOKEN": "abc",
		"LONG_TOKEN":  "0123456789abcdef0123",
	}[k]
	return v, ok
}

func TestFixtures(t *testing.T) {
	paths, _ := filepath.Glob("testdata/*/*.txt")
	if len(paths) == 0 {
		t.Fatal("no fixtures found")
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(path[len("testdata/"):], ".txt"), func(t *testing.T) {
			f := readFixture(t, path)
			dir := f.write(t)
			_, diags := Load(dir, Options{LookupEnv: fixtureEnv})
			got := strings.ReplaceAll(strings.Join(diags.Strings(), "\n"), dir+string(filepath.Separator), "")
			if got != "" {
				got += "\n"
			}
			if *update {
				f.want = got
				if err := os.WriteFile(path, []byte(f.encode()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != f.want {
				t.Errorf("diagnostics differ\n--- got\n%s--- want\n%s", got, f.want)
			}
			if strings.HasPrefix(filepath.Base(filepath.Dir(path)), "invalid") && !diags.HasErrors() {
				t.Errorf("an invalid fixture loaded without errors")
			}
			if strings.HasPrefix(filepath.Base(filepath.Dir(path)), "valid") && diags.HasErrors() {
				t.Errorf("a valid fixture has errors")
			}
		})
	}
}
