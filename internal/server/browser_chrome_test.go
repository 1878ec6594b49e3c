package server

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Browser tests drive headless Chromium (Debian's chromium package, which .ci/run
// installs) over the DevTools protocol. Without a Chromium they skip, unless CI is set:
// then they fail, so that a CI machine without the browser cannot pass by skipping.

// findChromium returns the browser to drive: $TOCSIN_CHROMIUM, /usr/bin/chromium, or the
// first of chromium, chromium-browser, google-chrome and google-chrome-stable in PATH.
func findChromium() string {
	if p := os.Getenv("TOCSIN_CHROMIUM"); p != "" {
		return p
	}
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && !fi.IsDir() {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// requireChromium returns the browser's path, or skips the test (fails it under CI).
func requireChromium(t *testing.T) string {
	t.Helper()
	p := findChromium()
	if p != "" {
		return p
	}
	const msg = "no Chromium found (set TOCSIN_CHROMIUM, or apt-get install chromium)"
	if os.Getenv("CI") != "" {
		t.Fatalf("%s; CI is set, so the browser tests fail instead of skipping", msg)
	}
	t.Skip(msg + "; skipping the browser tests")
	return ""
}

// browser is one headless Chromium tab with what the test collects along the way.
type browser struct {
	t         *testing.T
	ctx       context.Context // the tab; cancelled at cleanup
	artifacts string          // where screenshots go
	shots     int

	mu       sync.Mutex
	problems []string // uncaught exceptions, console errors, CSP violations
	cdpLog   *syncBuffer
}

// newBrowser starts Chromium with a fresh profile. Screenshots go to $TOCSIN_ARTIFACTS
// when set (kept), else to a temporary directory that is removed when the test passes
// and kept, with its path logged, when it fails.
func newBrowser(t *testing.T, execPath string, timeout time.Duration) *browser {
	t.Helper()
	b := &browser{t: t, cdpLog: &syncBuffer{}}
	if dir := os.Getenv("TOCSIN_ARTIFACTS"); dir != "" {
		b.artifacts = filepath.Join(dir, t.Name())
		if err := os.MkdirAll(b.artifacts, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshots: %s", b.artifacts)
	} else {
		dir, err := os.MkdirTemp("", "tocsin-browser-")
		if err != nil {
			t.Fatal(err)
		}
		b.artifacts = dir
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("screenshots kept in %s", dir)
				return
			}
			os.RemoveAll(dir)
		})
		t.Logf("screenshots: %s (removed when the test passes; set TOCSIN_ARTIFACTS=DIR to keep them)", dir)
	}

	// A fresh profile. Not t.TempDir: Chromium's helper processes may still be writing
	// to it for a moment after the browser exits, and TempDir fails the test when its
	// removal does.
	profile, err := os.MkdirTemp("", "tocsin-chromium-profile-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox, // root in a container: the setuid sandbox is not available
		chromedp.DisableGPU,
		// No traffic but to the test server (some are in the defaults already).
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(b.cdpLog),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	logf := func(format string, args ...any) { fmt.Fprintf(b.cdpLog, format+"\n", args...) }
	tab, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithLogf(logf), chromedp.WithErrorf(logf))
	ctx, cancelTimeout := context.WithTimeout(tab, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc() // waits for the browser process to exit
		removeProfile(t, profile)
		if t.Failed() {
			t.Logf("Chromium and DevTools log:\n%s", b.chromiumLog())
		}
	})
	chromedp.ListenTarget(tab, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			b.problem("uncaught exception: %s", ev.ExceptionDetails.Error())
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError {
				var parts []string
				for _, a := range ev.Args {
					if len(a.Value) > 0 {
						parts = append(parts, strings.Trim(string(a.Value), `"`))
					} else {
						parts = append(parts, a.Description)
					}
				}
				b.problem("console.error: %s", strings.Join(parts, " "))
			}
		case *cdplog.EventEntryAdded:
			e := ev.Entry
			// Chromium asks for /favicon.ico on its own; the UI declares none.
			if e.Level == cdplog.LevelError && !strings.Contains(e.URL, "/favicon.ico") {
				b.problem("%s: %s (%s)", e.Source, e.Text, e.URL)
			}
		}
	})
	// Starting Chromium on a loaded machine can take a while: the first Run does it.
	launched := time.Now()
	if err := chromedp.Run(ctx, cdplog.Enable(), runtime.Enable()); err != nil {
		t.Fatalf("starting Chromium (%s): %v\n%s", execPath, err, b.chromiumLog())
	}
	t.Logf("Chromium started in %v", time.Since(launched).Round(time.Millisecond))
	b.ctx = ctx
	return b
}

// removeProfile removes the browser profile, trying again for a few seconds while
// Chromium's helper processes finish; what cannot be removed is left in the temporary
// directory (logged, not a failure).
func removeProfile(t *testing.T, dir string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := os.RemoveAll(dir)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Logf("leaving the browser profile %s: %v", dir, err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (b *browser) problem(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, fmt.Sprintf(format, args...))
}

// Problems returns what the pages reported as errors so far.
func (b *browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// step runs actions with their own deadline and fails the test with the step's name,
// the current URL and a screenshot when they do not complete.
func (b *browser) step(name string, timeout time.Duration, actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		var url string
		uctx, ucancel := context.WithTimeout(b.ctx, 10*time.Second)
		_ = chromedp.Run(uctx, chromedp.Location(&url))
		ucancel()
		b.screenshotFile("failed-" + name)
		b.t.Fatalf("browser step %q at %s: %v\npage problems: %v", name, url, err, b.Problems())
	}
}

// screenshot saves a full-page PNG as NN-name.png and checks that it is not blank.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	path, img := b.screenshotFile(name)
	if img == nil {
		b.t.Fatalf("screenshot %s: could not take or decode it", name)
	}
	if share, colours := nonBlank(img); share < 0.01 || colours < 2 {
		b.t.Errorf("screenshot %s looks blank: %.2f%% of pixels differ from the commonest colour, %d colours (%s)", name, 100*share, colours, path)
	} else {
		b.t.Logf("screenshot %s: %.1f%% of pixels off the background, %d colours", filepath.Base(path), 100*share, colours)
	}
}

func (b *browser) screenshotFile(name string) (string, image.Image) {
	b.shots++
	path := filepath.Join(b.artifacts, fmt.Sprintf("%02d-%s.png", b.shots, name))
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	var buf []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 100)); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return path, nil
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		b.t.Logf("screenshot %s is not a PNG: %v", name, err)
		return path, nil
	}
	return path, img
}

// nonBlank returns the share of pixels whose colour differs from the commonest one and
// the number of distinct colours (counted up to 1,000).
func nonBlank(img image.Image) (share float64, colours int) {
	counts := map[uint32]int{}
	r := img.Bounds()
	total := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, ca := img.At(x, y).RGBA()
			key := cr>>8<<24 | cg>>8<<16 | cb>>8<<8 | ca>>8
			if _, seen := counts[key]; seen || len(counts) < 1000 {
				counts[key]++
			}
			total++
		}
	}
	most := 0
	for _, n := range counts {
		most = max(most, n)
	}
	if total == 0 {
		return 0, 0
	}
	return float64(total-most) / float64(total), len(counts)
}

// pageText returns the trimmed text content of the first node matching sel.
func pageText(sel string, out *string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var s string
		if err := chromedp.Text(sel, &s, chromedp.ByQuery).Do(ctx); err != nil {
			return err
		}
		*out = strings.TrimSpace(s)
		return nil
	})
}

// pageHasText fails the action unless the first node matching sel has exactly want as
// its trimmed text.
func pageHasText(sel, want string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var got string
		if err := pageText(sel, &got).Do(ctx); err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("%s: text %q, want %q", sel, got, want)
		}
		return nil
	})
}

// pageNodes returns the nodes matching sel now, without waiting (nil when none).
func pageNodes(sel string, out *[]*cdp.Node) chromedp.Action {
	return chromedp.Nodes(sel, out, chromedp.ByQueryAll, chromedp.AtLeast(0))
}

// chromiumLog is Chromium's output and chromedp's messages, less the D-Bus complaints
// of a machine without a session bus.
func (b *browser) chromiumLog() string {
	var keep []string
	for _, line := range strings.Split(b.cdpLog.String(), "\n") {
		if !strings.Contains(line, "dbus/") {
			keep = append(keep, line)
		}
	}
	return logTail(strings.Join(keep, "\n"), 4000)
}

func logTail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
