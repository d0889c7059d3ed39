package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/gmailsend/gmailsend/dev/browser"
)

// pageText opens url in the browser with Accept-Language lang and returns
// the page's heading and button ("" when it has none).
func pageText(t *testing.T, ctx context.Context, url, lang string) (h1, button string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("open %s (%s): %v", url, lang, err)
	}
	var err error
	if h1, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if button, err = chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("button") || {textContent: ""}).textContent`)); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(h1), strings.TrimSpace(button)
}

// TestUnsubscribePageInBrowser ensures, in a real headless Chromium against the real bootstrap behind `make serve`, the confirmation page renders in Korean and English by Accept-Language, opening (navigating to) it does not unsubscribe, and pressing its button does: the next send to that recipient is refused.
func TestUnsubscribePageInBrowser(t *testing.T) {
	ctx := browser.Start(t)
	l, base := serveWithUnsubscribe(t)
	link := unsubscribeLink(t, l, base)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	for _, c := range []struct{ lang, h1, button string }{
		{"en-US,en;q=0.9", "Unsubscribe", "Unsubscribe"},
		{"ko-KR,ko;q=0.9,en;q=0.8", "수신 거부", "수신 거부"},
	} {
		h1, button := pageText(t, ctx, link, c.lang)
		if h1 != c.h1 || button != c.button {
			t.Errorf("%s: heading %q, button %q; want %q, %q", c.lang, h1, button, c.h1, c.button)
		}
	}
	if code, body := sendSample(t, base, nil); code != 200 {
		t.Fatalf("send after opening the page → %d %s (a navigation must not unsubscribe)", code, body)
	}

	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("unsubscribe")),
		chromedp.WaitVisible(chromedp.Search(`//h1[text()="수신 거부 완료"]`)),
	)
	if err != nil {
		t.Fatalf("pressing the button: %v", err)
	}
	done, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("message")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(done, "수신이 거부되었습니다") {
		t.Errorf("after the button: %q", done)
	}
	if code, body := sendSample(t, base, nil); code != 422 || !strings.Contains(body, "recipient_suppressed") {
		t.Fatalf("send after the button → %d %s", code, body)
	}
}
