// Package client is the Go client of tocsin's HTTP API, used by the CLI (send, query,
// parity --live, bench). It speaks JSON, sends the bearer token, and turns error bodies
// into *Error values carrying the server's code, field and message.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls one tocsin server.
type Client struct {
	BaseURL string // e.g. http://127.0.0.1:8080
	Token   string
	HTTP    *http.Client // default: a client with a 60 s timeout
}

// New returns a client after checking the URL.
func New(base, token string) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the server URL must be http(s)://host[:port], got %q", base)
	}
	return &Client{BaseURL: strings.TrimSuffix(base, "/"), Token: token, HTTP: &http.Client{Timeout: 60 * time.Second}}, nil
}

// Error is an error answer of the API.
type Error struct {
	Status      int
	Code        string   `json:"code"`
	Message     string   `json:"message"`
	Field       string   `json:"field"`
	Details     []string `json:"details"`
	DatumErrors []struct {
		Index   int    `json:"index"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"datum_errors"`
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%d %s", e.Status, e.Message)
	if e.Field != "" {
		s = fmt.Sprintf("%d %s: %s", e.Status, e.Field, e.Message)
	}
	for _, d := range e.Details {
		s += "\n  " + d
	}
	for _, d := range e.DatumErrors {
		s += fmt.Sprintf("\n  datum %d: %s: %s", d.Index, d.Field, d.Message)
	}
	return s
}

// Do sends a request and decodes a JSON answer into out (when not nil).
func (c *Client) Do(ctx context.Context, method, path string, body []byte, headers map[string]string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var wrapper struct {
			Error *Error `json:"error"`
		}
		if json.Unmarshal(data, &wrapper) == nil && wrapper.Error != nil {
			wrapper.Error.Status = resp.StatusCode
			return wrapper.Error
		}
		return &Error{Status: resp.StatusCode, Message: strings.TrimSpace(string(data))}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// Get is Do for a GET with query parameters.
func (c *Client) Get(ctx context.Context, path string, q url.Values, out any) error {
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return c.Do(ctx, http.MethodGet, path, nil, nil, out)
}
