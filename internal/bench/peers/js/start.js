'use strict';
// An empty script: the js_start benchmark times a whole process that runs it, from
// its start to its exit, in node and in nodeloop run.
