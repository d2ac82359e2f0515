module example.com/app

go 1.19

require (
	example.com/Upper v1.2.3
	example.com/greet v1.0.0
	example.com/replaced v0.1.0
)

replace example.com/replaced => ../localrep
