package lambdahandler

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gmailsend/gmailsend"
)

// errorBody is the documented error shape:
// {"error": {"code", "message", "field"?, "smtp"?, "retryAfterSeconds"?}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code              gmailsend.Code       `json:"code"`
	Message           string               `json:"message"`
	Field             string               `json:"field,omitempty"`
	SMTP              *gmailsend.SMTPReply `json:"smtp,omitempty"`
	RetryAfterSeconds int                  `json:"retryAfterSeconds,omitempty"`
}

func newErrorBody(e *gmailsend.Error) errorBody {
	return errorBody{Error: errorDetail{
		Code: e.Code, Message: e.Message, Field: e.Field, SMTP: e.SMTP,
		RetryAfterSeconds: int(e.RetryAfter.Seconds()),
	}}
}

// httpAnswer is an API response before it takes the shape of an API
// Gateway version.
type httpAnswer struct {
	status  int
	headers map[string]string
	body    string
}

func answerOK(v any) httpAnswer {
	return httpAnswer{status: 200, headers: jsonHeaders(), body: marshal(v)}
}

// marshal writes JSON without HTML escaping: a Message-ID's angle brackets
// stay readable instead of becoming \u003c.
func marshal(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

func answerError(err error) httpAnswer {
	e := gmailsend.AsError(err)
	body := marshal(newErrorBody(e))
	h := jsonHeaders()
	if e.RetryAfter > 0 {
		h["Retry-After"] = strconv.Itoa(int(e.RetryAfter.Seconds()))
	}
	return httpAnswer{status: httpStatus(e.Code), headers: h, body: body}
}

func jsonHeaders() map[string]string {
	return map[string]string{
		"Content-Type":           "application/json; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "no-store",
	}
}
