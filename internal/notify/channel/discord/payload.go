package discord

// The subset of Discord's execute-webhook JSON that tocsin sends.

type payload struct {
	Username        string   `json:"username"`
	Content         string   `json:"content"`
	Embeds          []embed  `json:"embeds"`
	AllowedMentions mentions `json:"allowed_mentions"`
}

// mentions with an empty Parse list stops anything in the message from pinging.
type mentions struct {
	Parse []string `json:"parse"`
}

type embed struct {
	Title       string  `json:"title,omitempty"`
	Description string  `json:"description,omitempty"`
	URL         string  `json:"url,omitempty"`
	Color       int     `json:"color"`
	Timestamp   string  `json:"timestamp,omitempty"`
	Fields      []field `json:"fields,omitempty"`
	Footer      footer  `json:"footer"`
}

type field struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

type footer struct {
	Text string `json:"text"`
}
