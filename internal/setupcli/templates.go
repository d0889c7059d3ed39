package setupcli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/gmailsend/gmailsend"
)

// templates is `gmailsend templates put|get|list|render`: the stored
// templates' routes of a deployment (docs/templates.md), with the same
// endpoint, key and refusals as send.
func (c *command) templates(ctx context.Context, verb string, args []string) error {
	var g Globals
	fs := newFlagSet("templates "+verb, c.env.Stderr, &g)
	endpoint := fs.String("endpoint", c.env.Getenv("GMAILSEND_ENDPOINT"), "the stack's API stage URL, or its SendEndpoint output (…/send) (env GMAILSEND_ENDPOINT)")
	apiKey := fs.String("api-key", c.env.Getenv("GMAILSEND_API_KEY"), "the API key's value (env GMAILSEND_API_KEY)")
	file := fs.String("file", "", "the JSON body (put: {subject, html, text?, description?}; render: {variables}); - or absent reads stdin")
	version := fs.String("version", "", "get: this version instead of the latest")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	wantName := verb != "list"
	switch {
	case wantName && len(positional) != 1:
		return usagef("templates %s takes one template NAME", verb)
	case !wantName && len(positional) != 0:
		return usagef("templates list takes no arguments")
	case *endpoint == "":
		return usagef("--endpoint URL is required (the stack's API URL; or set GMAILSEND_ENDPOINT)")
	case *apiKey == "":
		return usagef("--api-key KEY is required (or set GMAILSEND_API_KEY)")
	}
	if _, err := checkEndpoint(*endpoint); err != nil {
		return err
	}
	base := strings.TrimSuffix(strings.TrimSuffix(*endpoint, "/"), "/send")
	var (
		method, path string
		body         []byte
	)
	switch verb {
	case "list":
		method, path = http.MethodGet, "/templates"
	case "get":
		method, path = http.MethodGet, "/templates/"+url.PathEscape(positional[0])
		if *version != "" {
			path += "?version=" + url.QueryEscape(*version)
		}
	case "put", "render":
		if body, err = c.readBody(*file); err != nil {
			return err
		}
		method, path = http.MethodPut, "/templates/"+url.PathEscape(positional[0])
		if verb == "render" {
			method, path = http.MethodPost, path+"/render"
		}
	}
	step, cancel := context.WithTimeout(ctx, g.Timeout)
	defer cancel()
	status, answer, err := c.call(step, method, base+path, *apiKey, body)
	if err != nil {
		return err
	}
	c.printf("HTTP %d\n%s\n", status, pretty(answer))
	if status >= 200 && status < 300 {
		return nil
	}
	return answerError(*endpoint, status, answer)
}

// readBody reads --file, or stdin for "-" or none; it must be JSON.
func (c *command) readBody(file string) ([]byte, error) {
	var (
		b   []byte
		err error
	)
	if file == "" || file == "-" {
		if c.env.Stdin == nil {
			return nil, usagef("no --file and no stdin to read the body from")
		}
		b, err = io.ReadAll(io.LimitReader(c.env.Stdin, 8<<20))
	} else {
		b, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, usagef("reading the body: %v", err)
	}
	if !json.Valid(b) {
		return nil, usagef("the body (%s) is not JSON", map[bool]string{true: "stdin", false: file}[file == "" || file == "-"])
	}
	return b, nil
}

// call is post for any method: no redirects (they would carry the key).
func (c *command) call(ctx context.Context, method, target, apiKey string, body []byte) (int, []byte, error) {
	hc := http.Client{}
	if c.env.HTTPClient != nil {
		hc = *c.env.HTTPClient
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, nil, usagef("--endpoint: %v", err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("x-api-key", apiKey)
	resp, err := hc.Do(r)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, nil, &gmailsend.Error{Code: gmailsend.CodeTimeout, Err: err, Message: "the endpoint did not answer in time"}
		}
		return 0, nil, &gmailsend.Error{Code: gmailsend.CodeSMTPUnavailable, Err: err, Message: "the endpoint could not be reached: " + err.Error()}
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return 0, nil, &gmailsend.Error{Code: gmailsend.CodeSMTPUnavailable, Err: err, Message: "the endpoint's answer was cut off"}
	}
	return resp.StatusCode, answer, nil
}
