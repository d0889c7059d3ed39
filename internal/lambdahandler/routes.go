package lambdahandler

import (
	"context"
	"sort"
	"strings"

	"github.com/gmailsend/gmailsend"
)

// apiRequest is one API Gateway request (REST v1 or HTTP v2) in the shape
// every route handler reads.
type apiRequest struct {
	src       source
	requestID string
	method    string
	path      string
	// params are the path's {name} values.
	params map[string]string
	// query is the query string's parameters (single values).
	query map[string]string
	// headers have lower-case names (API Gateway keeps the client's case).
	headers map[string]string
	// caller is the API key id (requestContext.identity.apiKeyId, REST
	// only); keys and records are scoped to it. Empty without one.
	caller string
	body   []byte
}

// idempotencyKeyHeader is the Idempotency-Key header's value, and whether
// it was sent at all: an empty one is refused, not taken for no key.
func (r *apiRequest) idempotencyKeyHeader() (string, bool) {
	k, ok := r.headers["idempotency-key"]
	return k, ok
}

// route is one method and path pattern of the API; "{name}" matches one
// path segment.
type route struct {
	method  string
	pattern string
	handle  func(h *Handler, ctx context.Context, r *apiRequest) httpAnswer
}

// routes is the one table of the REST API. Each row needs a matching Api
// event in template.yaml (checked by dev/samtemplate).
var routes = []route{
	{"POST", "/send", (*Handler).routeSend},
	{"GET", "/messages/{id}", (*Handler).routeGetMessage},
	{"POST", "/messages", (*Handler).routeQueueMessage},
	{"POST", "/messages/batch", (*Handler).routeQueueBatch},
	{"DELETE", "/messages/{id}", (*Handler).routeCancelMessage},
	{"GET", "/suppressions/{address}", (*Handler).routeGetSuppression},
	{"PUT", "/suppressions/{address}", (*Handler).routePutSuppression},
	{"DELETE", "/suppressions/{address}", (*Handler).routeDeleteSuppression},
	{"GET", "/templates", (*Handler).routeListTemplates},
	{"GET", "/templates/{name}", (*Handler).routeGetTemplate},
	{"PUT", "/templates/{name}", (*Handler).routePutTemplate},
	{"DELETE", "/templates/{name}", (*Handler).routeDeleteTemplate},
	{"POST", "/templates/{name}/render", (*Handler).routeRenderTemplate},
	{"POST", "/webhooks", (*Handler).routeCreateWebhook},
	{"GET", "/webhooks", (*Handler).routeListWebhooks},
	{"GET", "/webhooks/{id}", (*Handler).routeGetWebhook},
	{"DELETE", "/webhooks/{id}", (*Handler).routeDeleteWebhook},
	{"POST", "/webhooks/{id}/rotate", (*Handler).routeRotateWebhook},
	{"POST", "/webhooks/{id}/test", (*Handler).routeTestWebhook},
	{"POST", "/webhooks/{id}/enable", (*Handler).routeEnableWebhook},
	// No API key (template.yaml): mail providers POST these unauthenticated.
	{"GET", "/unsubscribe/{token}", (*Handler).routeUnsubscribePage},
	{"POST", "/unsubscribe/{token}", (*Handler).routeUnsubscribe},
}

// PublicRoutes are the routes deployed without an API key ("METHOD
// /pattern"): the one-click unsubscribe link, which mail providers POST
// unauthenticated (RFC 8058) and whose signed token is the only
// authority. template.yaml throttles each at the stage instead
// (dev/samtemplate checks both).
func PublicRoutes() []string {
	return []string{"GET /unsubscribe/{token}", "POST /unsubscribe/{token}"}
}

// Routes lists "METHOD /pattern" of every route, for documentation and
// template checks.
func Routes() []string {
	out := make([]string, 0, len(routes))
	for _, r := range routes {
		out = append(out, r.method+" "+r.pattern)
	}
	sort.Strings(out)
	return out
}

// serveAPI finds the route of r and runs it. candidates are the paths to
// try, most specific first: the resource template API Gateway matched
// ("/messages/{id}"), then the request's own path.
func (h *Handler) serveAPI(ctx context.Context, r *apiRequest, candidates []string, pathParams map[string]string) httpAnswer {
	for _, path := range candidates {
		for _, rt := range routes {
			params, ok := matchPath(rt.pattern, path)
			if !ok || !strings.EqualFold(rt.method, r.method) {
				continue
			}
			for k, v := range pathParams {
				if _, named := params[k]; named {
					params[k] = v
				}
			}
			r.path, r.params = path, params
			return rt.handle(h, ctx, r)
		}
	}
	shown := r.path
	if len(candidates) > 0 {
		shown = candidates[len(candidates)-1]
	}
	return answerError(gmailsend.Errorf(gmailsend.CodeRouteNotFound, "",
		"the API has no route %s %s; it has %s", strings.ToUpper(r.method), shown, strings.Join(Routes(), ", ")))
}

// matchPath matches path against pattern segment by segment.
func matchPath(pattern, path string) (map[string]string, bool) {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) || path == "" {
		return nil, false
	}
	params := map[string]string{}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if xs[i] == "" {
				return nil, false
			}
			params[p[1:len(p)-1]] = xs[i]
			continue
		}
		if p != xs[i] {
			return nil, false
		}
	}
	return params, true
}

// lowerKeys copies headers with lower-case names.
func lowerKeys(headers map[string]string) map[string]string {
	out := make(map[string]string, len(headers))
	for k, v := range headers {
		out[strings.ToLower(k)] = v
	}
	return out
}

// apiOriginKey carries an API request's caller and idempotency key from
// its route to sendOne, whose signature every source shares.
type apiOriginKey struct{}

type apiOrigin struct {
	caller, key string
	keySent     bool // the Idempotency-Key header was sent (maybe empty)
}
