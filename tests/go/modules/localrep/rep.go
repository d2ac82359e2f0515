// Package replaced is used through a directory replacement.
package replaced

func Where() string { return "local directory" }
