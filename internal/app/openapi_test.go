package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
)

// apiBase is the document's server URL with its default variables.
const apiBase = "https://abcdef1234.execute-api.us-east-1.amazonaws.com/prod"

var (
	apiOnce   sync.Once
	apiDoc    *openapi3.T
	apiRouter routers.Router
	apiErr    error
)

// openAPI loads and validates api/openapi.yaml once per test binary.
func openAPI(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	apiOnce.Do(func() {
		loader := openapi3.NewLoader()
		apiDoc, apiErr = loader.LoadFromFile(filepath.Join(fixture.ModuleRoot(t), "api", "openapi.yaml"))
		if apiErr == nil {
			apiErr = apiDoc.Validate(context.Background())
		}
		if apiErr == nil {
			apiRouter, apiErr = gorillamux.NewRouter(apiDoc)
		}
	})
	if apiErr != nil {
		t.Fatalf("api/openapi.yaml: %v", apiErr)
	}
	return apiDoc, apiRouter
}

// enumOf is a string enum of the document's schema name.
func enumOf(t *testing.T, doc *openapi3.T, name string) []string {
	t.Helper()
	ref := doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		t.Fatalf("no schema %s", name)
	}
	var out []string
	for _, v := range ref.Value.Enum {
		out = append(out, v.(string))
	}
	slices.Sort(out)
	return out
}

// TestOpenAPIDocumentMatchesCode ensures api/openapi.yaml is a valid OpenAPI 3 document whose error-code enum is exactly gmailsend.Codes() and whose status enum is exactly gmailsend.Statuses(), so neither can drift.
func TestOpenAPIDocumentMatchesCode(t *testing.T) {
	doc, _ := openAPI(t)
	var codes []string
	for _, c := range gmailsend.Codes() {
		codes = append(codes, string(c))
	}
	slices.Sort(codes)
	if got := enumOf(t, doc, "Code"); !slices.Equal(got, codes) {
		t.Errorf("Code enum\n got  %v\n want %v (email.Codes)", got, codes)
	}
	var statuses []string
	for _, s := range gmailsend.Statuses() {
		statuses = append(statuses, string(s))
	}
	slices.Sort(statuses)
	if got := enumOf(t, doc, "Status"); !slices.Equal(got, statuses) {
		t.Errorf("Status enum\n got  %v\n want %v (store.Statuses)", got, statuses)
	}
}

// callAPI sends method path with body to the real handler as API Gateway's
// REST API would (resource pattern and path parameters from the document),
// and fails the test unless the answer validates against api/openapi.yaml.
func (h *harness) callAPI(t *testing.T, method, path, body string) events.APIGatewayProxyResponse {
	t.Helper()
	_, router := openAPI(t)
	req, _ := http.NewRequest(method, apiBase+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s is not in api/openapi.yaml: %v", method, path, err)
	}
	query := map[string]string{}
	for k := range req.URL.Query() {
		query[k] = req.URL.Query().Get(k)
	}
	ev := events.APIGatewayProxyRequest{
		Resource: route.Path, Path: strings.TrimPrefix(req.URL.Path, "/prod"), HTTPMethod: method, Body: body, PathParameters: params,
		QueryStringParameters: query,
		Headers:               map[string]string{"Content-Type": "application/json", "x-api-key": "test-key"},
		RequestContext:        events.APIGatewayProxyRequestContext{RequestID: "openapi", Identity: events.APIGatewayRequestIdentity{APIKeyID: "key-1"}},
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
	checkResponse(t, route, params, req, resp)
	return resp
}

// checkResponse validates a response against the route's document entry.
func checkResponse(t *testing.T, route *routers.Route, params map[string]string, req *http.Request, resp events.APIGatewayProxyResponse) {
	t.Helper()
	header := http.Header{}
	for k, v := range resp.Headers {
		header.Set(k, v)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader([]byte(resp.Body))),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s → %d %s\ndoes not match api/openapi.yaml: %v", req.Method, req.URL.Path, resp.StatusCode, resp.Body, err)
	}
}

// TestOpenAPISendResponses ensures real POST /send answers (sent, invalid request, unknown stored credential: forbidden to an API caller) match the document.
func TestOpenAPISendResponses(t *testing.T) {
	h := newHarness(t, setup{})
	cases := []struct {
		body   string
		status int
	}{
		{fixture.SendRequest(fixture.User, "kim@example.com", "openapi"), 200},
		{`{"user":"sender@gmail.com","password":"x","toEmail":"not-an-address"}`, 400},
		{`{"credential":"nobody","toEmail":"kim@example.com","message":"m"}`, 403},
	}
	for _, c := range cases {
		if resp := h.callAPI(t, "POST", "/send", c.body); resp.StatusCode != c.status {
			t.Errorf("POST /send %s → %d %s, want %d", c.body, resp.StatusCode, resp.Body, c.status)
		}
	}
}

// TestOpenAPIHasEveryRoute ensures the document's operations are exactly the handler's route table (lambdahandler.Routes), so a route cannot go undocumented or a documented one missing.
func TestOpenAPIHasEveryRoute(t *testing.T) {
	doc, _ := openAPI(t)
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(documented)
	if got, want := strings.Join(documented, ", "), strings.Join(lambdahandler.Routes(), ", "); got != want {
		t.Fatalf("api/openapi.yaml: %s\nroute table:      %s", got, want)
	}
}

// TestOpenAPISuppressionResponses ensures real answers of the suppression routes (201 added, 200 already there, 200 read, 204 lifted, 404 after) match the document.
func TestOpenAPISuppressionResponses(t *testing.T) {
	h := newHarness(t, setup{Store: true})
	h.storeDesk()
	path := "/suppressions/kim@example.com"
	for _, c := range []struct {
		method string
		status int
	}{{"PUT", 201}, {"PUT", 200}, {"GET", 200}, {"DELETE", 204}, {"GET", 404}} {
		if resp := h.callAPI(t, c.method, path+"?credential=desk", ""); resp.StatusCode != c.status {
			t.Errorf("%s %s → %d %s, want %d", c.method, path, resp.StatusCode, resp.Body, c.status)
		}
	}
}
