Hello {{ name }} from hello.tpl
