// Package eventsapp assembles the events function (functions/events): it
// reads the message table's stream into status events for the event bus
// and the webhook queue (internal/statusevents), and delivers webhooks
// from that queue.
//
// It is apart from package app so that the send function links neither
// the EventBridge SDK nor delivers webhooks, and this function no SMTP.
package eventsapp
