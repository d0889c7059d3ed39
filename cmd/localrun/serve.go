package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/internal/dev/devstack"
)

// serve answers POST /send by wrapping the body in an API Gateway REST
// proxy event, invoking the function and unwrapping its response, as
// `sam local start-api` does.
func serve(ctx context.Context, dir, addr, realSMTP string, timeout time.Duration) error {
	st, fn, err := start(ctx, dir, realSMTP, prefixed(os.Stderr, "function log: "))
	if err != nil {
		return err
	}
	defer st.Close()
	defer fn.Stop()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /send", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 10<<20))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		ev := events.APIGatewayProxyRequest{
			Resource: "/send", Path: "/send", HTTPMethod: http.MethodPost, Body: string(body),
			Headers:        map[string]string{"Content-Type": r.Header.Get("Content-Type")},
			RequestContext: events.APIGatewayProxyRequestContext{RequestID: fmt.Sprintf("serve-%d", time.Now().UnixNano()), Stage: "local", ResourcePath: "/send", HTTPMethod: "POST"},
		}
		payload, _ := json.Marshal(ev)
		before := len(st.SMTP.Messages())
		res, err := fn.Invoke(r.Context(), payload, timeout)
		if err != nil || res.Err != nil {
			http.Error(w, `{"error":{"code":"internal","message":"the function failed"}}`, http.StatusBadGateway)
			return
		}
		var resp events.APIGatewayProxyResponse
		if err := json.Unmarshal(res.Payload, &resp); err != nil {
			http.Error(w, "bad function response", http.StatusBadGateway)
			return
		}
		for k, v := range resp.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.WriteString(w, resp.Body)
		for _, m := range st.SMTP.Messages()[before:] {
			if s, err := devstack.Summarize(m); err == nil {
				fmt.Fprintf(os.Stderr, "delivered:\n%s", s)
			}
		}
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	fmt.Fprintf(os.Stderr, "listening on http://%s — try: curl -X POST http://%s/send -H 'Content-Type: application/json' -d @events/direct.json\n", addr, addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
