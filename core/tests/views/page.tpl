{% extends "base.html" %}
{% block title %}Page of {{ name }}{% endblock %}
{% block body %}<p>Hello {{ name }}!</p>{% endblock %}
