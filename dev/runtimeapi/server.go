// Package runtimeapi is a local implementation of the AWS Lambda Runtime
// API (the 2018-06-01 interface a custom runtime's bootstrap talks to), so
// the real bootstrap binary can run outside Lambda: it is what `sam local
// invoke` provides inside its container, without Docker.
//
// It serves one function process at a time: Invoke queues an event, the
// bootstrap takes it from /runtime/invocation/next with the request id and
// deadline headers, and answers on /response or /error.
package runtimeapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const prefix = "/2018-06-01/runtime/"

// FunctionError is an error the function reported on /error (or at init).
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Result is the outcome of one invocation: Payload on success, Err when the
// function reported an error.
type Result struct {
	Payload  []byte
	Err      *FunctionError
	Duration time.Duration
}

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	done     chan Result
	start    time.Time
}

// Server is a Runtime API endpoint on loopback.
type Server struct {
	// Addr is host:port, the value of AWS_LAMBDA_RUNTIME_API.
	Addr string

	srv         *http.Server
	ln          net.Listener
	queue       chan *invocation
	mu          sync.Mutex
	inflight    map[string]*invocation
	seq         atomic.Int64
	firstNext   chan struct{}
	nextOnce    sync.Once
	initErr     chan *FunctionError
	FunctionARN string
	extensions  []string // names registered, in order
}

// Extensions are the names of the extensions registered so far (Lambda
// takes registrations only during init, before the runtime's first /next).
func (s *Server) Extensions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.extensions...)
}

// Start listens on 127.0.0.1 and serves until Close.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		Addr: ln.Addr().String(), ln: ln,
		queue: make(chan *invocation), inflight: map[string]*invocation{},
		firstNext: make(chan struct{}), initErr: make(chan *FunctionError, 1),
		FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:gmailsend-local",
	}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.route), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Close stops serving; a bootstrap waiting on /next sees its connection end.
func (s *Server) Close() error { return s.srv.Close() }

// Ready is closed when the function first asks for an invocation: the end
// of its init phase.
func (s *Server) Ready() <-chan struct{} { return s.firstNext }

// InitError delivers an error the function reported during init.
func (s *Server) InitError() <-chan *FunctionError { return s.initErr }

// Invoke hands payload to the function with the given timeout and waits
// for its answer, or for ctx.
func (s *Server) Invoke(ctx context.Context, payload []byte, timeout time.Duration) (Result, error) {
	inv := &invocation{
		id:       fmt.Sprintf("local-%08d-%d", s.seq.Add(1), time.Now().UnixNano()%1e6),
		payload:  payload,
		deadline: time.Now().Add(timeout),
		done:     make(chan Result, 1),
	}
	select {
	case s.queue <- inv:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	// Lambda itself stops a function that outlives its timeout; give the
	// function a little slack to answer first, then give up.
	wait := time.NewTimer(timeout + 2*time.Second)
	defer wait.Stop()
	select {
	case r := <-inv.done:
		return r, nil
	case <-wait.C:
		return Result{}, errors.New("runtimeapi: the function did not answer before its timeout")
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, prefix)
	switch {
	// aws-lambda-go's WithEnableSIGTERM registers an internal extension,
	// which is what makes Lambda send SIGTERM; accept it as Lambda does and
	// hold its /next open until shutdown.
	case r.Method == http.MethodPost && r.URL.Path == "/2020-01-01/extension/register":
		s.mu.Lock()
		s.extensions = append(s.extensions, r.Header.Get("Lambda-Extension-Name"))
		s.mu.Unlock()
		w.Header().Set("Lambda-Extension-Identifier", "local-extension")
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"functionName":"gmailsend-local","functionVersion":"$LATEST","handler":"bootstrap"}`)
	case r.Method == http.MethodGet && r.URL.Path == "/2020-01-01/extension/event/next":
		<-r.Context().Done()
	case r.Method == http.MethodGet && path == "invocation/next":
		s.next(w, r)
	case r.Method == http.MethodPost && path == "init/error":
		s.initErr <- readError(r)
		w.WriteHeader(http.StatusAccepted)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		parts := strings.Split(strings.TrimPrefix(path, "invocation/"), "/")
		if len(parts) != 2 || (parts[1] != "response" && parts[1] != "error") {
			http.NotFound(w, r)
			return
		}
		s.finish(w, r, parts[0], parts[1] == "error")
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	s.nextOnce.Do(func() { close(s.firstNext) })
	var inv *invocation
	select {
	case inv = <-s.queue:
	case <-r.Context().Done():
		return
	}
	inv.start = time.Now()
	s.mu.Lock()
	s.inflight[inv.id] = inv
	s.mu.Unlock()
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", s.FunctionARN)
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(inv.payload)
}

func (s *Server) finish(w http.ResponseWriter, r *http.Request, id string, isError bool) {
	s.mu.Lock()
	inv, ok := s.inflight[id]
	delete(s.inflight, id)
	s.mu.Unlock()
	if !ok {
		http.Error(w, `{"errorType":"InvalidRequestID","errorMessage":"unknown request id"}`, http.StatusBadRequest)
		return
	}
	res := Result{Duration: time.Since(inv.start)}
	if isError {
		res.Err = readError(r)
	} else {
		res.Payload, _ = io.ReadAll(r.Body)
	}
	inv.done <- res
	w.WriteHeader(http.StatusAccepted)
}

func readError(r *http.Request) *FunctionError {
	body, _ := io.ReadAll(r.Body)
	var fe FunctionError
	if json.Unmarshal(body, &fe) != nil || fe.Type == "" {
		fe = FunctionError{Type: r.Header.Get("Lambda-Runtime-Function-Error-Type"), Message: string(body)}
	}
	return &fe
}
