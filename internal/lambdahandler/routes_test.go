package lambdahandler

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/internal/sender"
)

// TestMatchPath ensures a pattern matches segment by segment, {name} takes exactly one non-empty segment, and nothing else matches.
func TestMatchPath(t *testing.T) {
	cases := []struct {
		pattern, path string
		ok            bool
		id            string
	}{
		{"/send", "/send", true, ""},
		{"/send", "/send/", true, ""},
		{"/send", "/sendx", false, ""},
		{"/messages/{id}", "/messages/abc", true, "abc"},
		{"/messages/{id}", "/messages/{id}", true, "{id}"},
		{"/messages/{id}", "/messages/", false, ""},
		{"/messages/{id}", "/messages/a/b", false, ""},
		{"/messages/{id}", "", false, ""},
	}
	for _, c := range cases {
		params, ok := matchPath(c.pattern, c.path)
		if ok != c.ok || ok && params["id"] != c.id && c.id != "" {
			t.Errorf("%s vs %s: %v %v", c.pattern, c.path, params, ok)
		}
	}
}

func routeHandler() *Handler {
	return New(&sender.Sender{}, DefaultOptions(), slog.New(slog.NewJSONHandler(io.Discard, nil)))
}

func errorCode(t *testing.T, body string) string {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatalf("body %s", body)
	}
	return string(b.Error.Code)
}

// TestRESTRouting ensures a REST event is routed by its resource template, then by its path (greedy proxy), with path parameters, and an unknown route is route_not_found (404) listing the routes.
func TestRESTRouting(t *testing.T) {
	h := routeHandler()
	call := func(method, resource, path string, params map[string]string) events.APIGatewayProxyResponse {
		payload, _ := json.Marshal(events.APIGatewayProxyRequest{Resource: resource, Path: path, HTTPMethod: method, PathParameters: params,
			RequestContext: events.APIGatewayProxyRequestContext{RequestID: "r"}})
		out, err := h.Invoke(context.Background(), payload)
		if err != nil {
			t.Fatal(err)
		}
		return out.(events.APIGatewayProxyResponse)
	}
	// GET /messages/{id} reaches the lookup, which needs the table here.
	for _, r := range []events.APIGatewayProxyResponse{
		call("GET", "/messages/{id}", "/messages/abc", map[string]string{"id": "abc"}),
		call("GET", "/{proxy+}", "/messages/abc", map[string]string{"proxy": "messages/abc"}),
	} {
		if r.StatusCode != 501 || errorCode(t, r.Body) != "store_not_configured" {
			t.Fatalf("GET /messages/abc: %d %s", r.StatusCode, r.Body)
		}
	}
	for _, r := range []events.APIGatewayProxyResponse{
		call("GET", "/{proxy+}", "/hello/world", nil),
		call("PUT", "/send", "/send", nil),
	} {
		if r.StatusCode != 404 || errorCode(t, r.Body) != "route_not_found" || !strings.Contains(r.Body, "POST /send") {
			t.Fatalf("unknown route: %d %s", r.StatusCode, r.Body)
		}
	}
}

// TestHTTPAPIRouting ensures an HTTP API event is routed by its route key, or by its raw path with or without the stage prefix under $default.
func TestHTTPAPIRouting(t *testing.T) {
	h := routeHandler()
	for _, ev := range []events.APIGatewayV2HTTPRequest{
		{RouteKey: "GET /messages/{id}", RawPath: "/prod/messages/abc", PathParameters: map[string]string{"id": "abc"}},
		{RouteKey: "$default", RawPath: "/messages/abc"},
		{RouteKey: "$default", RawPath: "/prod/messages/abc"},
	} {
		ev.RequestContext.HTTP.Method, ev.RequestContext.Stage = "GET", "prod"
		payload, _ := json.Marshal(ev)
		out, err := h.Invoke(context.Background(), payload)
		if err != nil {
			t.Fatal(err)
		}
		r := out.(events.APIGatewayV2HTTPResponse)
		if r.StatusCode != 501 || errorCode(t, r.Body) != "store_not_configured" {
			t.Fatalf("%s %s: %d %s", ev.RouteKey, ev.RawPath, r.StatusCode, r.Body)
		}
	}
}

// TestDirectGetMessage ensures {"action": "getMessage"} is a lookup, not a send, and a malformed action object is invalid_request.
func TestDirectGetMessage(t *testing.T) {
	h := routeHandler()
	_, err := h.Invoke(context.Background(), []byte(`{"action":"getMessage","id":"abc"}`))
	if !strings.Contains(err.Error(), "store_not_configured") {
		t.Fatalf("getMessage: %v", err)
	}
	_, err = h.Invoke(context.Background(), []byte(`{"action":"getMessage","id":"abc","toEmail":"x@example.com"}`))
	if err == nil || !strings.Contains(err.Error(), "action") {
		t.Fatalf("mixed object: %v", err)
	}
}
