package lambdahandler

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gmailsend/gmailsend"
)

// handleAPIGatewayV1 answers a REST API (payload format 1.0) request.
func (h *Handler) handleAPIGatewayV1(ctx context.Context, payload []byte) (any, error) {
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, functionError(gmailsend.Invalid("", "malformed API Gateway event"))
	}
	r := &apiRequest{src: sourceAPIGatewayV1, requestID: ev.RequestContext.RequestID, method: ev.HTTPMethod,
		headers: lowerKeys(ev.Headers), caller: ev.RequestContext.Identity.APIKeyID, query: ev.QueryStringParameters}
	a := h.handleHTTP(ctx, r, ev.Body, ev.IsBase64Encoded, pathsV1(ev), ev.PathParameters)
	return events.APIGatewayProxyResponse{StatusCode: a.status, Headers: a.headers, Body: a.body}, nil
}

// handleAPIGatewayV2 answers an HTTP API (payload format 2.0) request.
func (h *Handler) handleAPIGatewayV2(ctx context.Context, payload []byte) (any, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, functionError(gmailsend.Invalid("", "malformed API Gateway event"))
	}
	// HTTP APIs have no API keys: the caller is empty.
	r := &apiRequest{src: sourceAPIGatewayV2, requestID: ev.RequestContext.RequestID, method: ev.RequestContext.HTTP.Method,
		headers: lowerKeys(ev.Headers), query: ev.QueryStringParameters}
	a := h.handleHTTP(ctx, r, ev.Body, ev.IsBase64Encoded, pathsV2(ev), ev.PathParameters)
	return events.APIGatewayV2HTTPResponse{StatusCode: a.status, Headers: a.headers, Body: a.body}, nil
}

// handleHTTP is what both API Gateway versions share: the body is decoded
// (base64 when API Gateway says so) and the route table (routes.go) picks
// the handler; the answer is status and JSON.
func (h *Handler) handleHTTP(ctx context.Context, r *apiRequest, body string, isBase64 bool, paths []string, pathParams map[string]string) httpAnswer {
	raw := []byte(body)
	if isBase64 {
		dec, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			return answerError(gmailsend.Invalid("", "request body is marked base64 but is not valid base64"))
		}
		raw = dec
	}
	r.body = raw
	return h.serveAPI(ctx, r, paths, pathParams)
}

// pathsV1 are the paths a REST API request is routed by: the resource
// API Gateway matched ("/messages/{id}"; not a greedy proxy), then the
// request path.
func pathsV1(ev events.APIGatewayProxyRequest) []string {
	var out []string
	if ev.Resource != "" && !strings.Contains(ev.Resource, "+}") {
		out = append(out, ev.Resource)
	}
	return append(out, ev.Path)
}

// pathsV2 are the paths an HTTP API request is routed by: the route key's
// path (unless $default), then the raw path, with and without the stage.
func pathsV2(ev events.APIGatewayV2HTTPRequest) []string {
	var out []string
	if _, p, ok := strings.Cut(ev.RouteKey, " "); ok {
		out = append(out, p)
	}
	out = append(out, ev.RawPath)
	if st := ev.RequestContext.Stage; st != "" && st != "$default" {
		if rest, ok := strings.CutPrefix(ev.RawPath, "/"+st+"/"); ok {
			out = append(out, "/"+rest)
		}
	}
	return out
}
