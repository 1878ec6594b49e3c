package storetest

import (
	"testing"

	"github.com/tocsin/tocsin/internal/store"
)

// RunEvents is the contract suite of store.Events.
func RunEvents(t *testing.T, open func(t *testing.T) store.Events, opts ...Option) {}
