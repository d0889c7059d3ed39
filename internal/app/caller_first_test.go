package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// suppressionCall is a /suppressions/{address} route with ?credential=.
func (h *harness) suppressionCall(t *testing.T, method, address, credential, caller string) events.APIGatewayProxyResponse {
	t.Helper()
	ev := events.APIGatewayProxyRequest{
		Resource: "/suppressions/{address}", Path: "/suppressions/" + address, HTTPMethod: method,
		PathParameters: map[string]string{"address": address}, QueryStringParameters: map[string]string{"credential": credential},
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "req-" + t.Name(), Stage: "prod",
			Identity: events.APIGatewayRequestIdentity{APIKeyID: caller}},
	}
	payload, _ := json.Marshal(ev)
	out, err := h.invoke(t, payload)
	if err != nil {
		t.Fatalf("%s /suppressions/%s: function error %v", method, address, err)
	}
	return out.(events.APIGatewayProxyResponse)
}

// TestDisallowedKeyLearnsNothing ensures an API key outside a stored credential's allowedCallers gets the same 403 forbidden from every route whether the credential exists or not, whether the recipient is on its suppression list or not, and whatever user it guesses, so it learns nothing of the credential; the allowed key still sees the suppression.
func TestDisallowedKeyLearnsNothing(t *testing.T) {
	h := newHarness(t, setup{Store: true, Queue: true})
	h.secrets.Put("gmailsend/desk", `{"user":"`+fixture.User+`","password":"`+fixture.Password+`","allowedCallers":["key-a"]}`)
	const listed = "gone@example.net"
	if resp := h.suppressionCall(t, "PUT", listed, "desk", "key-a"); resp.StatusCode != 201 {
		t.Fatalf("PUT by the allowed key: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := h.postSend(t, `{"credential":"desk","toEmail":"`+listed+`","subject":"s","message":"m"}`, "key-a", ""); resp.StatusCode != 422 {
		t.Fatalf("the allowed key sending to the listed address: %d %s", resp.StatusCode, resp.Body)
	}

	// answer is what key-b hears, with the credential's name taken out.
	answer := func(resp events.APIGatewayProxyResponse, name string) string {
		return fmt.Sprint(resp.StatusCode, " ", strings.ReplaceAll(resp.Body, `\"`+name+`\"`, "NAME"))
	}
	request := func(name, to, user string) string {
		m := map[string]string{"credential": name, "toEmail": to, "subject": subjectMarker, "message": bodyMarker}
		if user != "" {
			m["user"] = user
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	type variant struct{ name, to, user string }
	variants := []variant{
		{"desk", "kim@example.com", ""}, // exists, recipient not listed
		{"desk", listed, ""},            // exists, recipient listed
		{"desk", listed, fixture.User},  // exists, the right account guessed
		{"desk", listed, "other@gmail.com"},
		{"missing", listed, ""}, // no such credential
	}
	routes := map[string]func(v variant) events.APIGatewayProxyResponse{
		"POST /send": func(v variant) events.APIGatewayProxyResponse {
			return h.postSend(t, request(v.name, v.to, v.user), "key-b", "")
		},
		"POST /messages": func(v variant) events.APIGatewayProxyResponse {
			return h.apiCall(t, "POST", "/messages", "/messages", nil, request(v.name, v.to, v.user), "key-b", nil)
		},
		"POST /messages/batch": func(v variant) events.APIGatewayProxyResponse {
			return h.apiCall(t, "POST", "/messages/batch", "/messages/batch", nil,
				`{"messages":[`+request(v.name, v.to, v.user)+`],"validation":"permissive"}`, "key-b", nil)
		},
		"GET /suppressions": func(v variant) events.APIGatewayProxyResponse {
			return h.suppressionCall(t, "GET", v.to, v.name, "key-b")
		},
		"DELETE /suppressions": func(v variant) events.APIGatewayProxyResponse {
			return h.suppressionCall(t, "DELETE", v.to, v.name, "key-b")
		},
	}
	for route, call := range routes {
		var first string
		for i, v := range variants {
			if route != "POST /send" && route != "POST /messages" && route != "POST /messages/batch" && v.user != "" {
				continue
			}
			resp := call(v)
			got := answer(resp, v.name)
			if !strings.Contains(resp.Body, `"forbidden"`) {
				t.Errorf("%s %+v: %d %s, want forbidden", route, v, resp.StatusCode, resp.Body)
			}
			if i == 0 {
				first = got
			} else if got != first {
				t.Errorf("%s: key-b tells %+v apart:\n  %s\n  %s", route, v, first, got)
			}
		}
	}
	if n := len(h.srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered", n)
	}
	if resp := h.suppressionCall(t, "GET", listed, "desk", "key-a"); resp.StatusCode != 200 {
		t.Errorf("the allowed key lost the entry: %d %s", resp.StatusCode, resp.Body)
	}
}
