package gmailsend

import "time"

// BounceMark is what a delivery status notification said about one
// recipient of a sent message (the bounce reader writes it; see
// internal/bounce). The recipient is known only by its hash.
type BounceMark struct {
	// Action is "bounced" or "delayed".
	Action string `json:"action"`
	// Status is the enhanced status code, e.g. "5.1.1".
	Status string `json:"status,omitempty"`
	// Diagnostic is the remote server's reply, addresses replaced.
	Diagnostic string    `json:"diagnostic,omitempty"`
	At         time.Time `json:"at"`
}
