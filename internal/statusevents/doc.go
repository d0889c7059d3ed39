// Package statusevents is the use case that turns the message table's
// changes into status events: each stream record (the table is the
// outbox, so an event is never lost when a function dies after the
// change, and never invented when the change did not happen) becomes the
// events gmailsend.EventsOf says, which go on the event bus and, for the
// message's caller, to each of its webhook endpoints subscribed to that
// type as one delivery each; a suppression list's change goes to the
// endpoints that follow that list.
//
// Delivery is at least once: a batch that fails is read again from the
// stream, and its events carry the same ids, which receivers deduplicate
// by.
package statusevents
