package lambdahandler

import (
	"context"
	"net/http"
)

// The stored templates' routes. Templates are scoped to the API key like
// message records: a key sees, replaces and deletes only its own.

// routePutTemplate is PUT /templates/{name}: 201 with the new version's
// {name, version, description, updatedAt}. Every PUT is a new version.
func (h *Handler) routePutTemplate(ctx context.Context, r *apiRequest) httpAnswer {
	sum, err := h.send.Templates.Put(ctx, r.caller, r.params["name"], r.body)
	if err != nil {
		return answerError(err)
	}
	return answerJSON(http.StatusCreated, sum)
}

// routeGetTemplate is GET /templates/{name}: the latest version, or the
// one ?version= names.
func (h *Handler) routeGetTemplate(ctx context.Context, r *apiRequest) httpAnswer {
	tpl, err := h.send.Templates.Get(ctx, r.caller, r.params["name"], r.query["version"])
	if err != nil {
		return answerError(err)
	}
	return answerOK(tpl)
}

// routeListTemplates is GET /templates: {"templates": [summaries]}.
func (h *Handler) routeListTemplates(ctx context.Context, r *apiRequest) httpAnswer {
	list, err := h.send.Templates.List(ctx, r.caller)
	if err != nil {
		return answerError(err)
	}
	return answerOK(map[string]any{"templates": list})
}

// routeRenderTemplate is POST /templates/{name}/render: {subject, html,
// text} for the body's variables, nothing sent.
func (h *Handler) routeRenderTemplate(ctx context.Context, r *apiRequest) httpAnswer {
	out, err := h.send.Templates.Preview(ctx, r.caller, r.params["name"], r.body)
	if err != nil {
		return answerError(err)
	}
	return answerOK(out)
}

// routeDeleteTemplate is DELETE /templates/{name}: 204, or 404
// template_not_found.
func (h *Handler) routeDeleteTemplate(ctx context.Context, r *apiRequest) httpAnswer {
	if err := h.send.Templates.Delete(ctx, r.caller, r.params["name"]); err != nil {
		return answerError(err)
	}
	return httpAnswer{status: http.StatusNoContent, headers: jsonHeaders()}
}
