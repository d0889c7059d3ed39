package setupcli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/gmailsend/gmailsend"
)

// sendRequest is the function's request, with the extensions' field names.
type sendRequest struct {
	Credential   string   `json:"credential,omitempty"`
	User         string   `json:"user,omitempty"`
	FromUsername string   `json:"fromUsername,omitempty"`
	ToEmail      []string `json:"toEmail"`
	Cc           []string `json:"cc,omitempty"`
	Bcc          []string `json:"bcc,omitempty"`
	ReplyTo      []string `json:"replyTo,omitempty"`
	Subject      string   `json:"subject,omitempty"`
	Message      string   `json:"message,omitempty"`
	Text         string   `json:"text,omitempty"`
}

// send is `gmailsend send --endpoint URL --api-key KEY …`: one POST to a
// deployed endpoint, as any caller would make it.
func (c *command) send(ctx context.Context, args []string) error {
	var (
		g                    Globals
		req                  sendRequest
		to, cc, bcc, replyTo listFlag
	)
	fs := flag.NewFlagSet("gmailsend send", flag.ContinueOnError)
	fs.SetOutput(c.env.Stderr)
	g.registerTimeout(fs)
	endpoint := fs.String("endpoint", c.env.Getenv("GMAILSEND_ENDPOINT"), "the stack's SendEndpoint output, …/send (env GMAILSEND_ENDPOINT)")
	apiKey := fs.String("api-key", c.env.Getenv("GMAILSEND_API_KEY"), "the API key's value (env GMAILSEND_API_KEY; optional against make serve on loopback)")
	fs.StringVar(&req.Credential, "credential", c.env.Getenv("GMAILSEND_CREDENTIAL"), "stored credential NAME to send with (env GMAILSEND_CREDENTIAL; default: the deployment's DEFAULT_CREDENTIAL)")
	fs.StringVar(&req.User, "user", c.env.Getenv("GMAILSEND_USER"), "the account to send as (env GMAILSEND_USER; a stored credential supplies it)")
	fs.StringVar(&req.FromUsername, "from-name", "", "the sender's display name")
	fs.Var(&to, "to", "recipient (repeatable, or comma-separated; required)")
	fs.Var(&cc, "cc", "Cc recipient (repeatable)")
	fs.Var(&bcc, "bcc", "Bcc recipient (repeatable)")
	fs.Var(&replyTo, "reply-to", "Reply-To address (repeatable)")
	fs.StringVar(&req.Subject, "subject", "", "the subject")
	fs.StringVar(&req.Message, "html", "", "the HTML body")
	fs.StringVar(&req.Text, "text", "", "the plain-text body (default: derived from the HTML)")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(positional) > 0:
		return usagef("send takes no arguments, got %q (quote a subject or body that has spaces)", positional[0])
	case *endpoint == "":
		return usagef("--endpoint URL is required (the stack's SendEndpoint output; or set GMAILSEND_ENDPOINT)")
	case len(to) == 0:
		return usagef("--to ADDRESS is required")
	case req.Message == "" && req.Text == "":
		return usagef("--html or --text is required")
	}
	loopback, err := checkEndpoint(*endpoint)
	if err != nil {
		return err
	}
	if *apiKey == "" && !loopback {
		// make serve lets a request without a key through; API Gateway
		// never does.
		return usagef("--api-key KEY is required (aws apigateway get-api-key --api-key <ApiKeyId> --include-value --query value --output text; or set GMAILSEND_API_KEY)")
	}
	req.ToEmail, req.Cc, req.Bcc, req.ReplyTo = to, cc, bcc, replyTo
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	step, cancel := context.WithTimeout(ctx, g.Timeout)
	defer cancel()
	status, answer, err := c.post(step, *endpoint, *apiKey, body)
	if err != nil {
		return err
	}
	c.printf("HTTP %d\n%s\n", status, pretty(answer))
	if status >= 200 && status < 300 {
		return nil
	}
	// The function's own advice names its settings (SMTP_CA_FILE), not
	// this command's flags.
	c.remote = true
	return answerError(*endpoint, status, answer)
}

// checkEndpoint refuses to send the API key in clear over the network,
// and says whether the endpoint is on this machine (make serve, tests).
func checkEndpoint(raw string) (loopback bool, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false, usagef("--endpoint %q is not a URL", raw)
	}
	ip := net.ParseIP(u.Hostname())
	loopback = u.Hostname() == "localhost" || ip != nil && ip.IsLoopback()
	if u.Scheme == "https" || u.Scheme == "http" && loopback {
		return loopback, nil
	}
	return false, usagef("--endpoint must be https (http only on loopback): the API key must not cross the network in clear")
}

// post makes the request. Redirects are not followed: a redirect would
// carry the x-api-key header to wherever it points.
func (c *command) post(ctx context.Context, endpoint, apiKey string, body []byte) (int, []byte, error) {
	hc := http.Client{}
	if c.env.HTTPClient != nil {
		hc = *c.env.HTTPClient
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, nil, usagef("--endpoint: %v", err)
	}
	r.Header.Set("Content-Type", "application/json")
	if apiKey != "" {
		r.Header.Set("x-api-key", apiKey)
	}
	// Failures here are HTTP's, between this machine and the endpoint: no
	// function code fits them (smtp_unavailable would send the reader to
	// the SMTP server), so they are plain errors.
	resp, err := hc.Do(r)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, nil, fmt.Errorf("the endpoint did not answer within --timeout; the message may still have been sent (%w)", err)
		}
		return 0, nil, fmt.Errorf("the endpoint could not be reached over HTTP (check --endpoint; nothing was sent): %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("the endpoint's answer was cut off; the message may still have been sent: %w", err)
	}
	return resp.StatusCode, answer, nil
}

// answerError turns a failed answer into the function's error, or explains
// API Gateway's own refusals (which never reach the function).
func answerError(endpoint string, status int, answer []byte) error {
	var fn struct {
		Error *struct {
			Code    gmailsend.Code       `json:"code"`
			Message string               `json:"message"`
			Field   string               `json:"field"`
			SMTP    *gmailsend.SMTPReply `json:"smtp"`
		} `json:"error"`
		Message string `json:"message"` // API Gateway's shape
	}
	_ = json.Unmarshal(answer, &fn)
	if fn.Error != nil && fn.Error.Code != "" {
		e := &gmailsend.Error{Code: fn.Error.Code, Message: fn.Error.Message, Field: fn.Error.Field, SMTP: fn.Error.SMTP}
		if e.Code == gmailsend.CodeRouteNotFound {
			e.Message += " (--endpoint must be the stack's SendEndpoint output, ending in /send)"
		}
		return e
	}
	gw := strings.ToLower(fn.Message)
	switch {
	case strings.Contains(gw, "missing authentication token"):
		return gmailsend.Errorf(gmailsend.CodeInvalidRequest, "endpoint", "API Gateway has no such route: --endpoint must be the stack's SendEndpoint output, ending in /send")
	case status == http.StatusForbidden:
		return gmailsend.Errorf(gmailsend.CodeForbidden, "api-key", "API Gateway refused the API key (%s): pass the key's value, not its id (aws apigateway get-api-key --api-key <ApiKeyId> --include-value --query value --output text)", fn.Message)
	case status == http.StatusTooManyRequests:
		return gmailsend.Errorf(gmailsend.CodeRateLimited, "", "the API key's usage plan limit was reached (%s): its rate or daily quota; try again later or raise the plan's limits", fn.Message)
	case status == http.StatusGatewayTimeout:
		return gmailsend.Errorf(gmailsend.CodeTimeout, "", "API Gateway timed out waiting for the function; the message may still have been sent")
	}
	if status == http.StatusNotFound {
		return fmt.Errorf("%s answered 404 Not Found: --endpoint must be the stack's SendEndpoint output, ending in /send", endpoint)
	}
	return fmt.Errorf("%s answered HTTP %d without a gmailsend error: is --endpoint the stack's SendEndpoint output (…/prod/send)?", endpoint, status)
}

// pretty indents a JSON answer (without HTML escaping, so <message ids>
// stay readable); anything else is printed as it came.
func pretty(b []byte) string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if enc.Encode(v) != nil {
		return string(b)
	}
	return strings.TrimRight(out.String(), "\n")
}
