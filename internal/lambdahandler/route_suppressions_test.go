package lambdahandler

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/internal/credential"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/sender"
)

// storedSecrets is a hand-written secret store holding one credential.
type storedSecrets map[string]string

func (s storedSecrets) FetchSecret(_ context.Context, id string) ([]byte, error) {
	if v, ok := s[id]; ok {
		return []byte(v), nil
	}
	return nil, gmailsend.Errorf(gmailsend.CodeCredentialNotFound, "credential", "no such credential")
}

func suppressionRequest(method, address, credential string) []byte {
	ev := events.APIGatewayProxyRequest{HTTPMethod: method, Resource: "/suppressions/{address}", Path: "/suppressions/" + address,
		PathParameters: map[string]string{"address": address}, Headers: map[string]string{}}
	if credential != "" {
		ev.QueryStringParameters = map[string]string{"credential": credential}
	}
	ev.RequestContext.RequestID = "r1"
	b, _ := json.Marshal(ev)
	return b
}

// TestSuppressionRoutes ensures PUT adds (201, then 200), GET reads (REST
// and HTTP API), DELETE removes (204, then 404), an encoded @ is accepted,
// a missing credential and a non-address are 400 naming the field, and a
// deployment without the table answers store_not_configured.
func TestSuppressionRoutes(t *testing.T) {
	client, _ := dynalite.StartTable(t, "messages")
	s := &sender.Sender{
		Credentials: credential.NewResolver(credential.Policy{Prefix: "gmailsend/", TTL: time.Minute},
			storedSecrets{"gmailsend/desk": `{"user":"desk@gmail.com","password":"abcdefghijklmnop"}`}, nil),
		SuppressionEdits: dynamostore.NewWithAPI("messages", client),
	}
	h := New(s, DefaultOptions(), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	call := func(payload []byte) (int, string) {
		t.Helper()
		out, err := h.Invoke(context.Background(), payload)
		if err != nil {
			t.Fatal(err)
		}
		switch r := out.(type) {
		case events.APIGatewayProxyResponse:
			return r.StatusCode, r.Body
		case events.APIGatewayV2HTTPResponse:
			return r.StatusCode, r.Body
		}
		t.Fatalf("response %T", out)
		return 0, ""
	}
	steps := []struct {
		name    string
		payload []byte
		status  int
		code    string
	}{
		{"PUT", suppressionRequest("PUT", "Gone@example.net", "desk"), 201, ""},
		{"PUT again", suppressionRequest("PUT", "gone@example.net", "desk"), 200, ""},
		{"GET encoded", suppressionRequest("GET", "gone%40example.net", "desk"), 200, ""},
		{"GET without credential", suppressionRequest("GET", "gone@example.net", ""), 400, "invalid_request"},
		{"GET of a non-address", suppressionRequest("GET", "gone", "desk"), 400, "invalid_request"},
		{"GET unknown credential", suppressionRequest("GET", "gone@example.net", "nobody"), 403, "forbidden"},
		{"DELETE", suppressionRequest("DELETE", "gone@example.net", "desk"), 204, ""},
		{"GET after DELETE", suppressionRequest("GET", "gone@example.net", "desk"), 404, "suppression_not_found"},
		{"DELETE again", suppressionRequest("DELETE", "gone@example.net", "desk"), 404, "suppression_not_found"},
	}
	for _, st := range steps {
		status, body := call(st.payload)
		if status != st.status || st.code != "" && errorCode(t, body) != st.code {
			t.Fatalf("%s: %d %s", st.name, status, body)
		}
		if st.name == "GET encoded" {
			var sup struct{ Address, Reason string }
			if json.Unmarshal([]byte(body), &sup) != nil || sup.Address != "gone@example.net" || sup.Reason != "manual" {
				t.Fatalf("GET body %s", body)
			}
		}
	}
	v2 := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "PUT /suppressions/{address}", RawPath: "/suppressions/kim@example.com",
		PathParameters: map[string]string{"address": "kim@example.com"}, QueryStringParameters: map[string]string{"credential": "desk"}}
	v2.RequestContext.HTTP.Method, v2.RequestContext.HTTP.Path = "PUT", v2.RawPath
	payload, _ := json.Marshal(v2)
	if status, body := call(payload); status != 201 {
		t.Fatalf("HTTP API PUT: %d %s", status, body)
	}

	bare := New(&sender.Sender{}, DefaultOptions(), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	out, _ := bare.Invoke(context.Background(), suppressionRequest("GET", "gone@example.net", "desk"))
	if r := out.(events.APIGatewayProxyResponse); r.StatusCode != 501 || errorCode(t, r.Body) != "store_not_configured" {
		t.Fatalf("without the table: %d %s", r.StatusCode, r.Body)
	}
}

// TestSuppressionRoutesHonourAllowedCallers ensures the suppression list of
// a stored credential limited to some API keys can be read, added to and
// emptied only through those keys, as sending with it can (issue 14: "for
// an account the caller may use").
func TestSuppressionRoutesHonourAllowedCallers(t *testing.T) {
	client, _ := dynalite.StartTable(t, "messages")
	s := &sender.Sender{
		Credentials: credential.NewResolver(credential.Policy{Prefix: "gmailsend/", TTL: time.Minute},
			storedSecrets{"gmailsend/desk": `{"user":"desk@gmail.com","password":"abcdefghijklmnop","allowedCallers":["key-desk"]}`}, nil),
		SuppressionEdits: dynamostore.NewWithAPI("messages", client),
	}
	h := New(s, DefaultOptions(), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	call := func(method, caller string) int {
		t.Helper()
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(suppressionRequest(method, "gone@example.net", "desk"), &ev); err != nil {
			t.Fatal(err)
		}
		ev.RequestContext.Identity.APIKeyID = caller
		payload, _ := json.Marshal(ev)
		out, err := h.Invoke(context.Background(), payload)
		if err != nil {
			t.Fatal(err)
		}
		return out.(events.APIGatewayProxyResponse).StatusCode
	}
	for _, method := range []string{"PUT", "GET", "DELETE"} {
		if got := call(method, "key-other"); got != 403 {
			t.Errorf("%s with another API key: %d, want 403", method, got)
		}
	}
	if got := call("PUT", "key-desk"); got != 201 {
		t.Errorf("PUT with the allowed API key: %d, want 201", got)
	}
	if got := call("GET", "key-other"); got != 403 {
		t.Errorf("GET with another API key after PUT: %d, want 403", got)
	}
	if got := call("DELETE", "key-desk"); got != 204 {
		t.Errorf("DELETE with the allowed API key: %d, want 204", got)
	}
}
