package devoauth

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// The scripted browser of the installed-app tests: what a person's browser
// does between the printed consent URL and the page on the loopback
// listener, split in two so a test can tamper with the redirect in between.

var browser = &http.Client{
	Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// Authorize visits consentURL (the user signs in and consents) and returns
// where the authorization endpoint sends the browser back to: the loopback
// redirect_uri with code and state, or with error.
func Authorize(consentURL string) (*url.URL, error) {
	resp, err := browser.Get(consentURL)
	if err != nil {
		return nil, fmt.Errorf("devoauth: visiting the consent URL: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("devoauth: consent page answered %d: %s", resp.StatusCode, body)
	}
	loc, err := resp.Location()
	if err != nil {
		return nil, errors.New("devoauth: the consent page redirected nowhere")
	}
	return loc, nil
}

// Follow visits the redirect as the browser would and returns the
// listener's status and page.
func Follow(u *url.URL) (int, string, error) {
	resp, err := browser.Get(u.String())
	if err != nil {
		return 0, "", fmt.Errorf("devoauth: following the redirect: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, string(body), err
}

// Consent is Authorize then Follow: the whole visit of a person who agrees.
func Consent(consentURL string) error {
	u, err := Authorize(consentURL)
	if err != nil {
		return err
	}
	status, page, err := Follow(u)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("devoauth: the redirect page answered %d: %s", status, page)
	}
	return err
}
