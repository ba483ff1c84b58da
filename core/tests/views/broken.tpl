line one
{% if name %}never closed
