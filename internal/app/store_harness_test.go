// Helpers of the tests that run the function with its message table on
// dynalite: calls shaped as API Gateway sends them, and the check that no
// item any of those tests wrote holds a secret, a subject, a body or an
// address.
package app_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
)

// Markers put in the subjects and bodies of the store tests, so the item
// scan can prove they never reach the table.
const (
	subjectMarker = "SUBJECT-MARKER-회의"
	// testFingerprintKey keys the records' fingerprints in these tests.
	testFingerprintKey = "a fingerprint key of the app tests"
	bodyMarker         = "BODY-MARKER-본문"
)

// withStore starts dynalite, creates the template's table, points the
// configuration at it, and scans every item at the end of the test.
func withStore(t *testing.T, cfg *app.Config, parts *app.Parts) *dynamodb.Client {
	t.Helper()
	client, _ := dynalite.StartTable(t, "messages")
	cfg.MessagesTable = "messages"
	parts.DynamoDB = client
	parts.FingerprintKey = gmailsend.StaticKey(testFingerprintKey)
	t.Cleanup(func() { checkItemsHoldNoSecrets(t, client) })
	return client
}

// storeRequest is a valid request from account user to to, with the
// markers as subject and body and extra fields merged in.
func storeRequest(user, to string, extra map[string]any) string {
	pw := fixture.Password
	if user == fixture.User2 {
		pw = fixture.Password2
	}
	m := map[string]any{"user": user, "password": pw, "toEmail": to, "subject": subjectMarker, "message": "<p>" + bodyMarker + "</p>"}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// apiCall invokes the function as API Gateway's REST API does for method
// and path, with the caller's API key id and headers.
func (h *harness) apiCall(t *testing.T, method, resource, path string, params map[string]string, body, caller string, headers map[string]string) events.APIGatewayProxyResponse {
	t.Helper()
	hdr := map[string]string{"Content-Type": "application/json"}
	for k, v := range headers {
		hdr[k] = v
	}
	ev := events.APIGatewayProxyRequest{
		Resource: resource, Path: path, HTTPMethod: method, Body: body, PathParameters: params, Headers: hdr,
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "req-" + t.Name(), Stage: "prod",
			Identity: events.APIGatewayRequestIdentity{APIKeyID: caller}},
	}
	payload, _ := json.Marshal(ev)
	out, err := h.invoke(t, payload)
	if err != nil {
		t.Fatalf("%s %s: function error %v", method, path, err)
	}
	resp, ok := out.(events.APIGatewayProxyResponse)
	if !ok {
		t.Fatalf("%s %s: answer %T", method, path, out)
	}
	return resp
}

// postSend is POST /send with an optional Idempotency-Key.
func (h *harness) postSend(t *testing.T, body, caller, key string) events.APIGatewayProxyResponse {
	t.Helper()
	var hdr map[string]string
	if key != "" {
		hdr = map[string]string{"Idempotency-Key": key}
	}
	return h.apiCall(t, "POST", "/send", "/send", nil, body, caller, hdr)
}

// getMessage is GET /messages/{id}.
func (h *harness) getMessage(t *testing.T, id, caller string) events.APIGatewayProxyResponse {
	t.Helper()
	return h.apiCall(t, "GET", "/messages/{id}", "/messages/"+id, map[string]string{"id": id}, "", caller, nil)
}

// sentBody is a success answer with the record id.
type sentBody struct {
	Status    string   `json:"status"`
	ID        string   `json:"id"`
	MessageID string   `json:"messageId"`
	Accepted  []string `json:"accepted"`
}

// recordBody is GET /messages/{id}'s answer.
type recordBody struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Account    string `json:"account"`
	Source     string `json:"source"`
	Caller     string `json:"caller"`
	Recipients int    `json:"recipients"`
	MessageID  string `json:"messageId"`
	ErrorCode  string `json:"errorCode"`
	ExpiresAt  string `json:"expiresAt"`
	CreatedAt  string `json:"createdAt"`
}

func decodeBody[T any](t *testing.T, resp events.APIGatewayProxyResponse) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
		t.Fatalf("body %s: %v", resp.Body, err)
	}
	return v
}

// checkItemsHoldNoSecrets reads every item of the table and fails if any
// attribute holds a password, a subject or body marker, a token, or an
// address (dynalite.CheckNoSecrets: only messageId may hold an @).
func checkItemsHoldNoSecrets(t *testing.T, client *dynamodb.Client) {
	t.Helper()
	dynalite.CheckNoSecrets(t, client, "messages", []string{fixture.Password, fixture.Password2, "abcd efgh",
		subjectMarker, bodyMarker, "SUBJECT-MARKER", "BODY-MARKER", "sender@", "second@", "example.com", refreshToken, clientSecret})
}
