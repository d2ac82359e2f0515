// Package greet is a tiny dependency served from a file:// module proxy.
package greet

func Hello() string { return "hello from greet" }
