"""Router only: page config and navigation. Each page lives in pages/ and only draws."""

from ui.shell import route

route()
