package slack

// The subset of Slack's message and Block Kit JSON that tocsin sends.

type payload struct {
	Text        string       `json:"text"` // the notification fallback
	Attachments []attachment `json:"attachments"`
}

type attachment struct {
	Color  string  `json:"color"`
	Blocks []block `json:"blocks"`
}

type block struct {
	Type string   `json:"type"`
	Text *textObj `json:"text,omitempty"`
	// Elements holds textObj values in context blocks and element values in actions
	// blocks.
	Elements any `json:"elements,omitempty"`
}

type textObj struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

type element struct {
	Type     string  `json:"type"`
	Text     textObj `json:"text"`
	ActionID string  `json:"action_id,omitempty"`
	URL      string  `json:"url,omitempty"`
	Style    string  `json:"style,omitempty"`
}
