// Package browser finds the headless Chromium the browser tests drive with
// chromedp: Debian's chromium, which install-chromium (make browser-deps)
// installs. Without one a test skips with one line, and fails under
// CI=true, where it must run.
package browser

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Find returns the path of a Chromium, or skips tb (fails it under CI=true).
func Find(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatal("chromium is not installed (CI=true): run dev/browser/install-chromium (make browser-deps)")
	}
	tb.Skip("chromium is not installed: make browser-deps installs it (root with apt-get)")
	return ""
}

// Start returns a chromedp context on a new headless Chromium, closed when
// tb ends.
func Start(tb testing.TB) context.Context {
	tb.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Find(tb)),
		// Tests run as root in CI, where Chromium refuses its sandbox.
		chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	// The browser lives as long as the context of the first call: start it
	// here, on the test's context, not on a caller's shorter one.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		tb.Fatalf("browser: starting %s: %v", Find(tb), err)
	}
	return ctx
}
