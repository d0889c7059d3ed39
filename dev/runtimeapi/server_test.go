package runtimeapi

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeBootstrap plays a runtime client by hand: take one invocation, answer
// it. Start it with goFake so the test waits for it before the server closes.
func fakeBootstrap(t *testing.T, addr, answerPath, body string, headers chan<- http.Header) {
	resp, err := http.Get("http://" + addr + "/2018-06-01/runtime/invocation/next")
	if err != nil {
		t.Error(err)
		return
	}
	payload, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	headers <- resp.Header
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	if body == "" {
		body = string(payload) // echo
	}
	r, err := http.Post("http://"+addr+"/2018-06-01/runtime/invocation/"+id+"/"+answerPath, "application/json", strings.NewReader(body))
	if err != nil {
		t.Error(err)
		return
	}
	r.Body.Close()
	if r.StatusCode != http.StatusAccepted {
		t.Errorf("answer status %d", r.StatusCode)
	}
}

// goFake runs fakeBootstrap and makes the test wait for it to finish.
func goFake(t *testing.T, addr, answerPath, body string, headers chan<- http.Header) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fakeBootstrap(t, addr, answerPath, body, headers)
	}()
	t.Cleanup(func() { <-done }) // runs before startServer's Close (cleanups are LIFO)
}

func startServer(t *testing.T) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestInvokeRoundTrip ensures an invocation carries its id and deadline and the response comes back.
func TestInvokeRoundTrip(t *testing.T) {
	s := startServer(t)
	headers := make(chan http.Header, 1)
	goFake(t, s.Addr, "response", "", headers)
	start := time.Now()
	res, err := s.Invoke(context.Background(), []byte(`{"hello":"세계"}`), 3*time.Second)
	if err != nil || res.Err != nil || string(res.Payload) != `{"hello":"세계"}` {
		t.Fatalf("%+v %v", res, err)
	}
	h := <-headers
	ms, _ := strconv.ParseInt(h.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	deadline := time.UnixMilli(ms)
	if deadline.Before(start.Add(2*time.Second)) || deadline.After(start.Add(4*time.Second)) || h.Get("Lambda-Runtime-Aws-Request-Id") == "" {
		t.Fatalf("headers %v", h)
	}
	select {
	case <-s.Ready():
	default:
		t.Fatal("Ready not closed after the first /next")
	}
}

// TestInvokeError ensures /error comes back as a FunctionError with the runtime's type.
func TestInvokeError(t *testing.T) {
	s := startServer(t)
	headers := make(chan http.Header, 1)
	goFake(t, s.Addr, "error", `{"errorType":"invalid_request","errorMessage":"bad"}`, headers)
	res, err := s.Invoke(context.Background(), []byte(`{}`), 3*time.Second)
	if err != nil || res.Err == nil || res.Err.Type != "invalid_request" || res.Err.Message != "bad" {
		t.Fatalf("%+v %v", res, err)
	}
}

// TestUnknownRequestID ensures answers for unknown invocations are refused.
func TestUnknownRequestID(t *testing.T) {
	s := startServer(t)
	r, err := http.Post("http://"+s.Addr+"/2018-06-01/runtime/invocation/nope/response", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", r.StatusCode)
	}
}
