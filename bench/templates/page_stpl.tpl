<h1>{{title}}</h1>
<ul>
% for item in items:
<li>{{item}}</li>
% end
</ul>
