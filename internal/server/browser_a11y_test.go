package server

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// a11yProbe lists what a page gets wrong for people on a phone, with a keyboard or a
// screen reader: sideways scrolling at phone width, a missing lang, title or main
// landmark, form fields without a label, images without alt, nameless links and
// buttons, and text below WCAG's 4.5:1 contrast (3:1 for large text).
const a11yProbe = `(() => {
  const out = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) out.push("scrolls sideways at " + root.clientWidth + "px: content is " + root.scrollWidth + "px wide");
  if (!root.lang) out.push("no lang attribute");
  if (!document.title.trim()) out.push("no title");
  if (!document.querySelector("main")) out.push("no main landmark");
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    const named = el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.closest("label") ||
      (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]'));
    if (!named) out.push("unlabelled " + el.tagName.toLowerCase() + " " + (el.name || el.id));
  }
  for (const img of document.querySelectorAll("img")) if (!img.hasAttribute("alt")) out.push("image without alt");
  for (const el of document.querySelectorAll("a[href], button")) {
    if (!(el.textContent.trim() || el.getAttribute("aria-label") || el.title)) out.push("nameless " + el.tagName.toLowerCase());
  }
  const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c; } return [255, 255, 255]; };
  const seen = new Set();
  for (const el of document.querySelectorAll("body *")) {
    const text = Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent.trim()).join("");
    const st = getComputedStyle(el);
    if (!text || st.visibility === "hidden" || st.display === "none" || el.closest("[aria-hidden=true]") || el.offsetParent === null) continue;
    const fg = rgb(st.color), bg = background(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const large = parseFloat(st.fontSize) >= 24 || (parseFloat(st.fontSize) >= 18.66 && Number(st.fontWeight) >= 700);
    const key = el.tagName + st.color + bg;
    if (ratio < (large ? 3 : 4.5) && !seen.has(key)) { seen.add(key); out.push("contrast " + ratio.toFixed(2) + ":1 for " + el.tagName.toLowerCase() + " \"" + text.slice(0, 30) + "\""); }
  }
  return out;
})()`

// Every page reads on a phone (390 px wide, no sideways scrolling), names its form fields
// and links, keeps text contrast at WCAG AA, and is reachable by keyboard: the first Tab
// lands on the skip link.
func TestBrowserPhoneAndAccessibility(t *testing.T) {
	chromium := requireChromium(t)
	ts := start(t, quickstart, nil) // with the demo feed: alarms, events and an incident soon
	b := newBrowser(t, chromium, 3*time.Minute)
	const wait = 90 * time.Second
	b.step("sign-in-on-a-phone", wait,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(ts.url+"/ui/"),
		chromedp.WaitVisible(`#token`, chromedp.ByQuery),
		chromedp.SendKeys(`#token`, adminTok, chromedp.ByQuery),
		chromedp.Click(`#login-submit`, chromedp.ByQuery),
		chromedp.WaitVisible(`#logout`, chromedp.ByQuery),
	)
	pages := []string{"/ui/env/production/alarms", "/ui/", "/ui/env/production/alarms/api-5xx-errors", "/ui/env/production/incidents",
		"/ui/env/production/silences", "/ui/env/production/events", "/ui/env/production/metrics", "/ui/parity"}
	for _, path := range pages {
		var problems []string
		name := strings.Trim(strings.ReplaceAll(path, "/", "-"), "-")
		b.step("open-"+name, wait,
			chromedp.Navigate(ts.url+path),
			chromedp.WaitVisible(`#logout`, chromedp.ByQuery),
			chromedp.Evaluate(a11yProbe, &problems),
		)
		if len(problems) > 0 {
			t.Errorf("%s:\n  %s", path, strings.Join(problems, "\n  "))
		}
		b.screenshot("phone-" + name)
		var focused string
		b.step("tab-"+name, wait,
			chromedp.KeyEvent(kb.Tab),
			chromedp.Evaluate(`document.activeElement ? (document.activeElement.textContent || "").trim() : ""`, &focused),
		)
		if !strings.Contains(strings.ToLower(focused), "skip") {
			t.Errorf("%s: the first Tab focuses %q, not the skip link", path, focused)
		}
	}
	// The live region refreshes itself (every 15 s) without moving the page: mark the
	// region, scroll, wait until a fresh region replaced the marked one.
	var scrolled, after float64
	b.step("live-refresh-keeps-scroll", wait,
		chromedp.EmulateViewport(390, 360), // short, so that the page scrolls
		chromedp.Navigate(ts.url+"/ui/env/production/alarms"),
		chromedp.WaitVisible(`#logout`, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById('live').dataset.marker = 'old'; window.scrollTo(0, 150); window.scrollY`, &scrolled),
		chromedp.Poll(`document.getElementById('live') && document.getElementById('live').dataset.marker !== 'old'`, nil, chromedp.WithPollingTimeout(60*time.Second)),
		chromedp.Evaluate(`window.scrollY`, &after),
	)
	if scrolled == 0 || after != scrolled {
		t.Errorf("scroll position %v before the live refresh, %v after", scrolled, after)
	}

	// The probe itself finds each kind of problem on a page made to have them.
	var found []string
	bad := `data:text/html,<html><body><div style="width:900px">wide</div><input name=q><img src=x>` +
		`<a href="/x"></a><p style="color:%23aaa;background:%23fff">faint</p></body></html>`
	b.step("probe-a-bad-page", wait, chromedp.Navigate(bad), chromedp.Evaluate(a11yProbe, &found))
	for _, want := range []string{"scrolls sideways", "no lang", "no title", "no main", "unlabelled input q", "image without alt", "nameless a", "contrast"} {
		if !strings.Contains(strings.Join(found, "\n"), want) {
			t.Errorf("the probe missed %q on a bad page: %v", want, found)
		}
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("page problems: %v", p)
	}
}
