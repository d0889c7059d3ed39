package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
)

// serveRoutes are the REST API's routes, "METHOD /resource": the
// function's own route table, which a template test holds equal to
// template.yaml's Api events (and TestServeRoutesAreTheTemplates holds
// serve to the template directly). serve hands each to the function as
// API Gateway's proxy integration would.
func serveRoutes() []string { return lambdahandler.Routes() }

// maxBody is API Gateway REST's request limit; Lambda's 6 MB payload limit
// is the function's to enforce and name.
const maxBody = 10 << 20

// serve is `make serve`: the API's routes on addr, each request wrapped in
// an API Gateway REST proxy event, like `sam local start-api`. Ctrl-C
// finishes the requests in flight, stops the function (SIGTERM, as Lambda
// does) and the stand-ins, and returns.
func serve(ctx context.Context, o options, addr string, timeout time.Duration) error {
	offerQueuedRoutes = true
	unsubscribeBase = unsubscribeBaseFor(addr) // unsubscribe.go
	var inbox *devstack.BounceInbox
	if o.realSMTP == "" && o.mailpit == "" {
		// Mail to the bounce domain bounces into the local INBOXes, for
		// the bounce reader to find (bounces.go).
		if b, err := devstack.StartBounceInbox(); err == nil {
			inbox, o.mail = b, b.Mail
			defer b.Close()
		}
	}
	l, err := start(ctx, o, prefixed(os.Stderr, "  function log: "))
	if err != nil {
		return err
	}
	defer l.Close()
	if err := l.startWebhookLoop(ctx, o, inbox, timeout, os.Stderr); err != nil {
		return err
	}
	if l.queue != nil {
		go l.consumeQueue(ctx, timeout, os.Stderr) // queue.go
	}
	if l.events != nil {
		go l.events.Run(ctx) // events.go: stream → events function → bus and webhooks
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprint(os.Stderr, serveGuide(l, "http://"+ln.Addr().String()))
	return serveOn(ctx, l, ln, timeout, os.Stderr)
}

// serveOn answers on ln until ctx is done, then lets the requests in
// flight finish (within the function timeout) and returns nil.
func serveOn(ctx context.Context, l *local, ln net.Listener, timeout time.Duration, report io.Writer) error {
	srv := &http.Server{Handler: apiHandler(l, timeout, report), ReadHeaderTimeout: 10 * time.Second}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		fmt.Fprintln(report, "\nstopping: finishing requests in flight…")
		shut, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-stopped
	fmt.Fprintln(report, "stopped")
	return nil
}

// apiHandler answers the routes by invoking the function; report gets a
// header line per request and a summary of what was delivered. A method
// and path the API lacks goes to the function too, which answers the
// documented route_not_found JSON; API keys are checked and turned into
// key ids as API Gateway does (devstack.APIKeys).
func apiHandler(l *local, timeout time.Duration, report io.Writer) http.Handler {
	mux := http.NewServeMux()
	for _, rt := range serveRoutes() {
		_, resource, _ := strings.Cut(rt, " ")
		mux.HandleFunc(rt, func(w http.ResponseWriter, r *http.Request) { l.invokeAPI(w, r, resource, timeout, report) })
	}
	// Every other method and path: the function's route_not_found (Go's
	// mux would answer plain-text 404 and 405).
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { l.invokeAPI(w, r, "", timeout, report) })
	return mux
}

// invokeAPI is one request: its API key checked, its body wrapped in the
// proxy event of resource ("" for a path the API lacks), the function's
// answer written back.
func (l *local) invokeAPI(w http.ResponseWriter, r *http.Request, resource string, timeout time.Duration, report io.Writer) {
	start := time.Now()
	keyID, known := devstack.APIKeyID(r.Header.Get("X-Api-Key"))
	if r.Header.Get("X-Api-Key") != "" && !known {
		// API Gateway's answer to a key it does not know.
		writeGatewayError(w, http.StatusForbidden, "Forbidden")
		fmt.Fprintf(report, "── %s %s → 403 (unknown API key; the local keys are %s)\n", r.Method, r.URL.Path, localKeyValues())
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeGatewayError(w, http.StatusRequestEntityTooLarge, "Request Too Long")
		return
	}
	payload, _ := json.Marshal(proxyEvent(r, resource, keyID, body))
	before := len(l.stack.SMTP.Messages())
	seen := l.mailpitSeen(r.Context())
	res, err := l.fn.Invoke(r.Context(), payload, timeout)
	if err != nil || res.Err != nil {
		// What API Gateway answers when the integration fails.
		writeGatewayError(w, http.StatusBadGateway, "Internal server error")
		fmt.Fprintf(report, "── %s %s → 502 (the function failed: %v %v)\n", r.Method, r.URL.Path, err, res.Err)
		return
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		writeGatewayError(w, http.StatusBadGateway, "Internal server error")
		return
	}
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.WriteString(w, resp.Body)
	if l.receiver != nil && resp.StatusCode/100 == 2 && strings.HasPrefix(resource, "/webhooks") {
		l.receiver.learn(resp.Body) // a new or rotated secret, to check signatures with
	}
	key := ""
	if keyID != "" {
		key = " (key " + keyID + ")"
	}
	fmt.Fprintf(report, "── %s %s%s → %d in %v\n", r.Method, r.URL.Path, key, resp.StatusCode, time.Since(start).Round(time.Millisecond))
	for _, m := range l.stack.SMTP.Messages()[before:] {
		if s, err := devstack.Summarize(m); err == nil {
			fmt.Fprintf(report, "delivered:\n%s", s)
		}
	}
	if l.stack.Mailpit != nil {
		fmt.Fprint(report, l.mailpitReport(r.Context(), seen, "delivered %d message(s) to Mailpit:\n"))
	}
	if l.realSMTP == "" && devstack.IsLoginFailure(resp.Body) {
		fmt.Fprint(report, devstack.LoginHint())
	}
}

func localKeyValues() string {
	var vs []string
	for _, k := range devstack.APIKeys {
		vs = append(vs, k.Value)
	}
	return strings.Join(vs, ", ")
}

var pathParam = regexp.MustCompile(`\{([^}/]+)\}`)

// proxyEvent is the REST API proxy integration's event for r, as API
// Gateway builds it after checking the API key: the key's value and its
// id (keyID, "" without a key).
func proxyEvent(r *http.Request, resource, keyID string, body []byte) events.APIGatewayProxyRequest {
	ev := events.APIGatewayProxyRequest{
		Resource: resource, Path: r.URL.Path, HTTPMethod: r.Method,
		Headers: map[string]string{}, MultiValueHeaders: map[string][]string(r.Header.Clone()),
		QueryStringParameters: map[string]string{}, MultiValueQueryStringParameters: map[string][]string(r.URL.Query()),
		PathParameters: map[string]string{},
		RequestContext: events.APIGatewayProxyRequestContext{
			RequestID: fmt.Sprintf("serve-%d", time.Now().UnixNano()), Stage: "local",
			ResourcePath: resource, HTTPMethod: r.Method, Path: r.URL.Path,
			Identity: events.APIGatewayRequestIdentity{APIKey: r.Header.Get("X-Api-Key"), APIKeyID: keyID, SourceIP: strings.Split(r.RemoteAddr, ":")[0]},
		},
	}
	for k := range r.Header {
		ev.Headers[k] = r.Header.Get(k)
	}
	for k := range r.URL.Query() {
		ev.QueryStringParameters[k] = r.URL.Query().Get(k)
	}
	for _, m := range pathParam.FindAllStringSubmatch(resource, -1) {
		ev.PathParameters[m[1]] = r.PathValue(m[1])
	}
	if utf8.Valid(body) {
		ev.Body = string(body)
	} else {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return ev
}

func writeGatewayError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"message":%q}`, msg)
}
