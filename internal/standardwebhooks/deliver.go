package standardwebhooks

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"time"
)

// DefaultTimeout bounds one delivery attempt end to end: resolution,
// connect, TLS, request and the bounded read of the answer. Receivers are
// asked to answer quickly and do their work afterwards.
const DefaultTimeout = 10 * time.Second

// maxResponseHeaderBytes bounds what a receiver's headers may make us hold.
const maxResponseHeaderBytes = 32 << 10

// ClientConfig configures a Client. The zero value is production's.
type ClientConfig struct {
	// Timeout bounds one delivery attempt; zero means DefaultTimeout.
	Timeout time.Duration
	// AllowLoopback permits loopback receivers and plain http to them
	// (local runs only); see URLPolicy.
	AllowLoopback bool
	// Resolver looks up host names, at check time and again at connect
	// time; nil means net.DefaultResolver.
	Resolver Resolver
	// RootCAs verifies receivers' certificates; nil means the system roots.
	// Tests pass the pool of their httptest server. Certificates are always
	// verified: there is deliberately no switch to skip it.
	RootCAs *x509.CertPool
}

// Client delivers webhooks. It is safe for concurrent use and meant to be
// kept across invocations, as it keeps connections open.
type Client struct {
	timeout time.Duration
	policy  URLPolicy
	http    *http.Client
}

// NewClient returns a Client whose every connection goes through the
// address guard and which never follows a redirect.
func NewClient(cfg ClientConfig) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	policy := URLPolicy{AllowLoopback: cfg.AllowLoopback, Resolver: cfg.Resolver}
	transport := &http.Transport{
		// No proxy, even if the environment names one: through a proxy the
		// dialer would see the proxy's address, not the receiver's, and
		// the guard would check the wrong thing.
		Proxy:                  nil,
		DialContext:            guardedDialContext(policy),
		TLSClientConfig:        &tls.Config{RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    cfg.Timeout,
		ResponseHeaderTimeout:  cfg.Timeout,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		IdleConnTimeout:        90 * time.Second,
	}
	return &Client{
		timeout: cfg.Timeout,
		policy:  policy,
		http: &http.Client{
			Transport: transport,
			// A redirect would send the signed event to an address the
			// receiver's owner did not register, possibly an internal one;
			// the 3xx is returned and counts as a failure.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Delivery is one attempt to send one event to one endpoint.
type Delivery struct {
	URL string
	// Secrets are the endpoint's active signing secrets: one, or two while
	// a rotation's grace period lasts.
	Secrets []string
	// EventID is the webhook-id: the same on every attempt of one event,
	// so receivers can drop duplicates.
	EventID string
	Payload []byte
	// At is the attempt's time, sent as webhook-timestamp; zero means now.
	// It must be the attempt's, not the event's, or a retry hours later
	// would fall outside receivers' tolerance.
	At time.Time
}

// Outcome is what became of a Delivery.
type Outcome struct {
	// Status is the receiver's HTTP status, 0 when none arrived.
	Status int
	// Delivered is true for a 2xx answer.
	Delivered bool
	// Gone is true for 410: the receiver asks to be disabled.
	Gone bool
	// Retry is true for every other outcome: try again per NextAttempt.
	Retry bool
	// Code names the failure; "" when Delivered.
	Code Code
	// Err explains the failure; nil when Delivered. Safe to log: it never
	// holds a body, a secret or the URL's query string.
	Err error
}

// Deliver makes one attempt: it checks the URL, signs the payload and POSTs
// it, and reads at most 64 KiB of the answer, which it discards unread by
// anyone: a receiver's body is not ours to log.
func (c *Client) Deliver(ctx context.Context, d Delivery) Outcome {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if _, err := CheckURL(ctx, d.URL, c.policy); err != nil {
		return failed(err)
	}
	at := d.At
	if at.IsZero() {
		at = time.Now()
	}
	header, err := Sign(d.Secrets, d.EventID, at, d.Payload)
	if err != nil {
		return failed(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return failed(newError(CodeInvalidURL, "cannot build a request for the webhook URL"))
	}
	req.Header = header
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "gmailsend-webhooks/1")
	resp, err := c.http.Do(req)
	if err != nil {
		return failed(transportError(ctx, err))
	}
	defer resp.Body.Close()
	discardBounded(resp.Body)
	return outcomeOfStatus(resp.StatusCode)
}
