package lambdahandler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/sender"
)

// queueOrigin is the sender's view of an API request that queues.
func queueOrigin(r *apiRequest) sender.Origin {
	o := sender.Origin{Source: string(r.src), Caller: r.caller, API: true}
	if k, sent := r.idempotencyKeyHeader(); sent {
		o.Key, o.KeyField = k, "Idempotency-Key"
	}
	return o
}

// routeQueueMessage is POST /messages: 202 {"id", "status": "queued"} (or
// "scheduled"), the message delivered later by the queue's consumer.
func (h *Handler) routeQueueMessage(ctx context.Context, r *apiRequest) httpAnswer {
	start := time.Now()
	acc, err := h.send.Accept(ctx, r.body, queueOrigin(r))
	h.logAccept(ctx, r, 1, err, start)
	if err != nil {
		return answerError(err)
	}
	return answerJSON(http.StatusAccepted, acc)
}

// batchAnswer is the 202 body of POST /messages/batch.
type batchAnswer struct {
	Messages []batchAnswerItem `json:"messages"`
	Accepted int               `json:"accepted"`
	Rejected int               `json:"rejected"`
}

type batchAnswerItem struct {
	Index       int          `json:"index"`
	ID          string       `json:"id,omitempty"`
	Status      string       `json:"status"`
	ScheduledAt *time.Time   `json:"scheduledAt,omitempty"`
	Error       *errorDetail `json:"error,omitempty"`
}

// batchErrorDetail is a strict batch's 400: the error shape plus every
// failing item.
type batchErrorDetail struct {
	errorDetail
	Items []batchErrorItem `json:"items"`
}

type batchErrorItem struct {
	Index   int            `json:"index"`
	Code    gmailsend.Code `json:"code"`
	Message string         `json:"message"`
	Field   string         `json:"field,omitempty"`
}

// routeQueueBatch is POST /messages/batch.
func (h *Handler) routeQueueBatch(ctx context.Context, r *apiRequest) httpAnswer {
	start := time.Now()
	res, err := h.send.AcceptBatch(ctx, r.body, queueOrigin(r))
	if err != nil {
		h.logAccept(ctx, r, 0, err, start)
		return answerError(err)
	}
	if res.Refused {
		first := res.Items[0].Err
		invalid := fmt.Sprintf("%d of the batch's messages are invalid", res.Rejected)
		if res.Rejected == 1 {
			invalid = "1 of the batch's messages is invalid"
		}
		d := batchErrorDetail{errorDetail: newErrorBody(gmailsend.Invalid(first.Field,
			"%s, so none was queued (send \"validation\": \"permissive\" to queue the valid ones); the first: %s",
			invalid, first.Message)).Error}
		for _, it := range res.Items {
			d.Items = append(d.Items, batchErrorItem{Index: it.Index, Code: it.Err.Code, Message: it.Err.Message, Field: it.Err.Field})
		}
		h.logAccept(ctx, r, len(res.Items), gmailsend.Invalid("", "strict batch refused"), start)
		return answerJSON(http.StatusBadRequest, struct {
			Error batchErrorDetail `json:"error"`
		}{d})
	}
	a := batchAnswer{Messages: make([]batchAnswerItem, 0, len(res.Items)), Accepted: res.Accepted, Rejected: res.Rejected}
	for _, it := range res.Items {
		item := batchAnswerItem{Index: it.Index}
		if it.Accepted != nil {
			item.ID, item.Status, item.ScheduledAt = it.Accepted.ID, it.Accepted.Status, it.Accepted.ScheduledAt
		}
		if it.Err != nil {
			d := newErrorBody(it.Err).Error
			item.Status, item.Error = string(gmailsend.StatusFailed), &d
		}
		a.Messages = append(a.Messages, item)
	}
	h.logAccept(ctx, r, res.Accepted, nil, start)
	return answerJSON(http.StatusAccepted, a)
}

// routeCancelMessage is DELETE /messages/{id}.
func (h *Handler) routeCancelMessage(ctx context.Context, r *apiRequest) httpAnswer {
	rec, err := h.messages.Cancel(ctx, r.params["id"], r.caller)
	var cleanup *sender.CleanupError
	if errors.As(err, &cleanup) {
		h.log.LogAttrs(ctx, slog.LevelWarn, "cancel", slog.String("id", rec.ID), slog.String("cause", cleanup.Error()))
		err = nil
	}
	if err != nil {
		return answerError(err)
	}
	return answerJSON(http.StatusOK, struct {
		ID     string           `json:"id"`
		Status gmailsend.Status `json:"status"`
	}{rec.ID, rec.Status})
}

// logAccept writes one line per accepted request or batch: no content.
func (h *Handler) logAccept(ctx context.Context, r *apiRequest, n int, err error, start time.Time) {
	attrs := []slog.Attr{slog.String("source", string(r.src)), slog.String("route", r.method+" "+r.path),
		slog.Int("messages", n), slog.Int64("durationMs", time.Since(start).Milliseconds()), slog.String("outcome", "accepted")}
	level := slog.LevelInfo
	if err != nil {
		e := gmailsend.AsError(err)
		attrs[4] = slog.String("outcome", string(e.Code))
		if e.Field != "" {
			attrs = append(attrs, slog.String("field", e.Field))
		}
		level = slog.LevelWarn
		if e.Code == gmailsend.CodeInternal {
			level = slog.LevelError
			attrs = append(attrs, slog.String("cause", causeOf(e)))
		}
	}
	h.log.LogAttrs(ctx, level, "accept", attrs...)
}

func answerJSON(status int, v any) httpAnswer {
	return httpAnswer{status: status, headers: jsonHeaders(), body: marshal(v)}
}
