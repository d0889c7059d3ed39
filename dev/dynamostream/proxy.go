package dynamostream

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configure a Proxy. The zero value watches every table in
// us-east-1 of account 123456789012.
type Options struct {
	// Tables are the tables whose writes are streamed; empty means all.
	Tables []string
	// Region and AccountID go into stream ARNs and records' awsRegion.
	Region    string
	AccountID string
	// StepTimeout bounds each of the proxy's own reads and the forwarded
	// write (10 s if zero).
	StepTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.AccountID == "" {
		o.AccountID = "123456789012"
	}
	if o.StepTimeout <= 0 {
		o.StepTimeout = 10 * time.Second
	}
	return o
}

// Proxy is the stand-in for DynamoDB Streams: an http.Handler to put in
// front of dynalite in place of its endpoint.
type Proxy struct {
	// URL is where Start serves (empty for a Proxy made by New).
	URL string

	opts    Options
	up      *upstream
	created time.Time
	srv     *http.Server

	mu       sync.Mutex
	streams  map[string]*Stream
	locks    map[string]*sync.Mutex
	keyNames map[string][]string
	lost     []error
}

// New makes a proxy forwarding to upstream (dynalite's URL, such as
// http://127.0.0.1:8000).
func New(upstreamURL string, o Options) *Proxy {
	return &Proxy{
		opts:    o.withDefaults(),
		up:      &upstream{url: strings.TrimSuffix(upstreamURL, "/"), client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}},
		created: time.Now().UTC(),
		streams: map[string]*Stream{}, locks: map[string]*sync.Mutex{}, keyNames: map[string][]string{},
	}
}

// Start makes a proxy and serves it on a loopback port until Close.
func Start(upstreamURL string, o Options) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := New(upstreamURL, o)
	p.URL = "http://" + ln.Addr().String()
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Close stops serving (when Start served it) and drops idle connections.
func (p *Proxy) Close() {
	if p.srv != nil {
		_ = p.srv.Close()
	}
	p.up.client.CloseIdleConnections()
}

// Stream is the stream of a watched table (made on first use, so a Poller
// can attach before the first write), or nil for a table not watched.
func (p *Proxy) Stream(table string) *Stream {
	if !p.watched(table) {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.streams[table]
	if s == nil {
		arn := "arn:aws:dynamodb:" + p.opts.Region + ":" + p.opts.AccountID + ":table/" + table +
			"/stream/" + p.created.Format("2006-01-02T15:04:05.000")
		s = newStream(arn, p.opts.Region, p.created)
		p.streams[table] = s
	}
	return s
}

// Err reports writes that were applied but could not be recorded (the new
// image could not be read): a stream that missed a change is not one a
// test should trust. Nil when every applied write is in its stream.
func (p *Proxy) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return errors.Join(p.lost...)
}

func (p *Proxy) watched(table string) bool {
	if len(p.opts.Tables) == 0 {
		return true
	}
	for _, t := range p.opts.Tables {
		if t == table {
			return true
		}
	}
	return false
}

// ServeHTTP records the writes to watched tables and passes the rest.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	op := operation(r)
	if !capturedOps[op] {
		p.pass(w, r, body)
		return
	}
	targets, err := writeTargets(op, body, p.keyOf(r.Context()))
	switch {
	case errors.Is(err, errNotCaptured) || (err == nil && !p.anyWatched(targets)):
		p.pass(w, r, body)
	case err != nil:
		writeError(w, err)
	default:
		p.capture(w, r, body, targets)
	}
}

// capturedOps are the writes the proxy records. TransactWriteItems is not
// among them because dynalite does not implement it.
var capturedOps = map[string]bool{"PutItem": true, "UpdateItem": true, "DeleteItem": true, "BatchWriteItem": true}

// operation is the action named by X-Amz-Target ("PutItem"), or "" when
// the request is not a DynamoDB JSON 1.0 call.
func operation(r *http.Request) string {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), apiVersion+".")
	if !ok {
		return ""
	}
	return op
}

func (p *Proxy) anyWatched(targets []target) bool {
	for _, t := range targets {
		if p.watched(t.table) {
			return true
		}
	}
	return false
}

// pass forwards a request it does not record and relays the answer.
func (p *Proxy) pass(w http.ResponseWriter, r *http.Request, body []byte) {
	resp, answer, err := p.up.forward(r.Context(), r, body)
	if err != nil {
		writeError(w, err)
		return
	}
	relay(w, resp, answer)
}

func relay(w http.ResponseWriter, resp *http.Response, answer []byte) {
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// writeError answers 500 InternalServerError in DynamoDB's shape: the SDKs
// retry it, and nothing of the failed step's detail reaches the client.
func writeError(w http.ResponseWriter, _ error) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.WriteString(w, `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error (dynamostream)"}`)
}
