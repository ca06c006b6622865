// The step-through player's script. It only shows what Python computed (autograd/viz/steps.py
// embeds every step, value and formatted number as JSON); it does no arithmetic.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("autograd-steps").textContent);
  var steps = data.steps;
  var nodes = data.nodes;
  var total = steps.length;
  var current = 0;

  // The diagram's pieces, found by the DOT ids of autograd/viz/dot.py: <g id="n3"> value node,
  // <g id="op3"> the op that made it, <g id="op3-in0"> its input edges. In a value node each
  // table cell is a fill <polygon> followed by its border and its <text>; the value and
  // gradient cells are told apart by their fill colour.
  function cell(group, fill) {
    if (!group) return null;
    var polygons = group.querySelectorAll("polygon");
    for (var i = 0; i < polygons.length; i++) {
      if ((polygons[i].getAttribute("fill") || "").toLowerCase() !== fill) continue;
      var el = polygons[i].nextElementSibling;
      while (el && el.tagName.toLowerCase() !== "text") el = el.nextElementSibling;
      return el ? { bg: polygons[i], text: el } : null;
    }
    return null;
  }

  var parts = nodes.map(function (node, i) {
    var g = document.getElementById("n" + i);
    var edges = node.parents.map(function (_, k) {
      return document.getElementById("op" + i + "-in" + k);
    });
    return {
      g: g,
      op: document.getElementById("op" + i),
      out: document.getElementById("op" + i + "-out"),
      edges: edges,
      value: cell(g, data.colors.value),
      grad: cell(g, data.colors.grad),
    };
  });

  // The step at which each node's backward step comes (-1: the output does not depend on it).
  var backwardStep = nodes.map(function () { return -1; });
  // The step at which each node is computed (forward steps come in hand order, not in the
  // diagram's numbering).
  var forwardStep = nodes.map(function () { return -1; });
  steps.forEach(function (step, s) {
    if (step.phase === "backward") backwardStep[step.node] = s;
    else forwardStep[step.node] = s;
  });

  // Practice mode (data.practice): every number a student works out is a question, hidden
  // until typed right or revealed. The page only compares the typed number with the true one
  // and with the numbers of the known slips (all computed in Python) at the typed number's
  // precision: |true - typed| <= half a unit of its last digit (the checker's rule).
  var practice = data.practice || null;
  var questions = practice ? practice.questions : {};
  var done = {}; // step -> {state: "right" | "revealed", typed: text, tries: n}
  var typedLast = {}; // step -> the last number typed
  var valueQuestion = nodes.map(function () { return -1; });
  var gradQuestion = nodes.map(function () { return -1; });
  Object.keys(questions).forEach(function (k) {
    var s = parseInt(k, 10);
    if (steps[s].phase === "forward") valueQuestion[steps[s].node] = s;
    else gradQuestion[steps[s].node] = s;
  });
  function solved(s) { return s < 0 || done.hasOwnProperty(s); }

  var STATES = ["current", "related", "future", "inactive"];

  function mark(el, state) {
    if (!el) return;
    STATES.forEach(function (name) { el.classList.remove(name); });
    el.classList.remove("active");
    if (state) el.classList.add(state);
  }

  function show(piece, text, how) {
    // how: "shown", "partial" or "hidden"
    if (!piece) return;
    if (text !== null) piece.text.textContent = text;
    piece.text.classList.toggle("hidden-text", how === "hidden");
    piece.text.classList.toggle("partial-text", how === "partial");
    piece.bg.classList.toggle("hidden-cell", how === "hidden");
    piece.bg.classList.toggle("partial-cell", how === "partial");
  }

  function paintDiagram(s) {
    var step = steps[s];
    var forward = step.phase === "forward";
    // Gradients so far: final for nodes whose backward step has come, partial sums for nodes
    // that received some contributions already.
    var partial = {};
    var complete = {};
    if (!forward) {
      for (var t = 0; t <= s; t++) {
        if (steps[t].phase !== "backward") continue;
        steps[t].outgoing.forEach(function (edge) {
          partial[edge.to] = edge.running;
          if (edge.last) complete[edge.to] = true; // its last term: the gradient is final
        });
      }
    }
    nodes.forEach(function (node, i) {
      var p = parts[i];
      var state = null;
      var later = forward && forwardStep[i] > s;
      if (later) state = "future";
      if (!forward && backwardStep[i] < 0) state = "inactive";
      mark(p.g, state);
      mark(p.op, state);
      mark(p.out, state);
      p.edges.forEach(function (edge) {
        mark(edge, state);
        // A local derivative is known once the values it uses are: when the node is computed.
        if (edge) edge.classList.toggle("unlabelled", later);
      });
      show(p.value, node.value, later || !solved(valueQuestion[i]) ? "hidden" : "shown");
      if (forward || backwardStep[i] < 0) {
        show(p.grad, null, "hidden");
      } else if (practice) {
        // no partial sums: they would give the answer away
        var known = backwardStep[i] <= s && solved(gradQuestion[i]);
        show(p.grad, known ? node.grad : null, known ? "shown" : "hidden");
      } else if (backwardStep[i] <= s || complete.hasOwnProperty(i)) {
        show(p.grad, node.grad, "shown");
      } else if (partial.hasOwnProperty(i)) {
        show(p.grad, partial[i], "partial");
      } else {
        show(p.grad, null, "hidden");
      }
    });
    var here = parts[step.node];
    mark(here.g, "current");
    mark(here.op, "current");
    here.edges.forEach(function (edge) { if (edge) edge.classList.add("active"); });
    if (!forward) {
      // The edges the gradient arrived along: input k of each child.
      step.incoming.forEach(function (edge) {
        var arrow = parts[edge.from].edges[edge.k];
        if (arrow) arrow.classList.add("active");
      });
    }
    nodes[step.node].parents.forEach(function (p) {
      if (p !== step.node) mark(parts[p].g, "related");
    });
    keepInView(here.g);
  }

  function keepInView(target) {
    // Scroll the diagram's own box (not the page) so that the current node is in view.
    var box = document.getElementById("diagram");
    if (!target || !box || !target.getBoundingClientRect) return;
    var r = target.getBoundingClientRect();
    var b = box.getBoundingClientRect();
    var margin = 24;
    if (r.left < b.left + margin || r.right > b.right - margin) {
      box.scrollLeft += (r.left + r.right) / 2 - (b.left + b.right) / 2;
    }
    if (r.top < b.top + margin || r.bottom > b.bottom - margin) {
      box.scrollTop += (r.top + r.bottom) / 2 - (b.top + b.bottom) / 2;
    }
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function repeated(edges, key) {
    // Which nodes appear on more than one of these edges (x * x: x twice).
    var count = {};
    edges.forEach(function (edge) { count[edge[key]] = (count[edge[key]] || 0) + 1; });
    return function (edge) { return count[edge[key]] > 1 ? " (input " + (edge.k + 1) + ")" : ""; };
  }

  function edgeRow(edge, other, suffix) {
    // One chain-rule term: "x   1.000 × 3.000 = 3.000" (the product written by Python's
    // printer, with the parentheses an expression needs as a factor)
    var row = el("div", "edge");
    row.appendChild(el("span", "who", other));
    row.appendChild(el("span", "calc", edge.product + " = " + edge.contribution));
    if (suffix) row.appendChild(el("span", "aside", suffix));
    return row;
  }

  function paintPanel(s) {
    var step = steps[s];
    var node = nodes[step.node];
    var panel = document.getElementById("panel");
    panel.textContent = "";
    panel.setAttribute("data-phase", step.phase);
    panel.setAttribute("data-node", node.id);
    var forward = step.phase === "forward";
    var nForward = nodes.length;
    var phase = forward
      ? "Forward pass · node " + (s + 1) + " of " + nForward
      : "Backward pass · node " + (s - nForward + 1) + " of " + (total - nForward);
    panel.appendChild(el("div", "phase " + step.phase, phase));
    var title = el("h2", "title");
    title.id = "step-title";
    title.appendChild(el("span", "name", node.name));
    if (node.op) title.appendChild(el("span", "op", node.op));
    panel.appendChild(title);

    var question = questions[String(s)];
    if (question) {
      askQuestion(panel, s, step, node, question);
      if (!done.hasOwnProperty(s)) return; // the working is shown once it is answered
    }
    var body = el("div", "body");
    panel.appendChild(body);
    if (forward) {
      var calc = el("div", "forward-calc");
      step.lines.forEach(function (line) { calc.appendChild(el("div", "line", line)); });
      body.appendChild(calc);
    } else {
      var incoming = el("div", "incoming");
      if (step.incoming.length) {
        incoming.appendChild(el("h3", null, "Gradient arriving: grad(child) × local"));
        var which = repeated(step.incoming, "from");
        step.incoming.forEach(function (edge) {
          incoming.appendChild(edgeRow(edge, "from " + nodes[edge.from].name + which(edge)));
        });
      } else {
        incoming.appendChild(el("h3", null, "Seed"));
      }
      incoming.appendChild(el("div", "sum", step.sum));
      body.appendChild(incoming);
      if (step.outgoing.length) {
        var outgoing = el("div", "outgoing");
        outgoing.appendChild(
          el("h3", null, "Chain rule to the inputs: upstream × local = contribution")
        );
        var input = repeated(step.outgoing, "to");
        step.outgoing.forEach(function (edge) {
          var name = nodes[edge.to].name;
          var aside = edge.last
            ? "grad(" + name + ") = " + edge.running + " (complete)"
            : "grad(" + name + ") so far: " + edge.running;
          var row = edgeRow(edge, "to " + name + input(edge), aside);
          if (edge.why) row.insertBefore(el("span", "why", "local: " + edge.why), row.lastChild);
          outgoing.appendChild(row);
        });
        body.appendChild(outgoing);
      }
    }
    if (step.note) panel.appendChild(el("p", "note", step.note));
  }

  // --- practice: the question of a step, its check, hints, reveal, score and sheet ---------
  function askQuestion(panel, s, step, node, question) {
    var box = el("div", "question");
    var prompt = el("div", "prompt");
    if (step.phase === "forward") {
      // the formula with names, and with the numbers when they are known: not the result
      var lines = step.lines.slice(0, step.lines.length - 1);
      lines.forEach(function (line) { prompt.appendChild(el("div", "line", line)); });
      prompt.appendChild(el("div", "ask", node.name + " = ?"));
    } else {
      var children = step.incoming.map(function (edge) {
        return "grad(" + nodes[edge.from].name + ") × ∂" + nodes[edge.from].name + "/∂" + node.name;
      });
      prompt.appendChild(el("div", "line", "grad(" + node.name + ") = " + children.join(" + ")));
      prompt.appendChild(el("div", "ask", "grad(" + node.name + ") = ?"));
    }
    box.appendChild(prompt);
    var row = el("div", "answer-row");
    var input = el("input");
    input.id = "answer";
    input.type = "text";
    input.setAttribute("inputmode", "decimal");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("aria-label", question.key + (question.expression
      ? ", an expression in the unknowns" : ", " + data.decimals + " decimals"));
    input.setAttribute("aria-describedby", "feedback");
    var state = done[s];
    if (state) {
      input.value = state.state === "revealed" ? question.text : state.typed;
      input.readOnly = true;
    } else if (typedLast.hasOwnProperty(s)) {
      input.value = typedLast[s];
    }
    row.appendChild(input);
    var check = el("button", null, "Check");
    check.id = "check";
    check.type = "button";
    var reveal = el("button", null, "Reveal");
    reveal.id = "reveal";
    reveal.type = "button";
    reveal.disabled = !!state;
    check.disabled = !!state;
    row.appendChild(check);
    row.appendChild(reveal);
    box.appendChild(row);
    var feedback = el("div", "feedback");
    feedback.id = "feedback";
    feedback.setAttribute("aria-live", "polite");
    if (state && state.state === "saved") {
      feedback.textContent = "Saved for your answer sheet (the checker compares expressions); " +
        "the true one: " + question.text + ".";
      feedback.className = "feedback revealed";
    } else if (state) {
      feedback.textContent = state.state === "right"
        ? "Right: " + node.name + (step.phase === "forward" ? "" : "'s gradient") + " is " + question.text + "."
        : "Revealed: " + question.text + ".";
      feedback.className = "feedback " + state.state;
    } else if (typedLast.hasOwnProperty(s)) {
      feedback.textContent = verdict(question, typedLast[s]).text;
      feedback.className = "feedback wrong";
    }
    box.appendChild(feedback);
    panel.appendChild(box);
    function submit() {
      if (done[s]) { go(s + 1); return; }
      var typed = input.value.trim().replace("\u2212", "-");
      if (question.expression) {
        // no sympy here: the checker compares it (autograd check --claims the sheet)
        if (!typed) return;
        done[s] = { state: "saved", typed: typed, tries: 1 };
        refresh(s);
        return;
      }
      var v = verdict(question, typed);
      if (v.format) { feedback.textContent = v.text; feedback.className = "feedback format"; return; }
      question.tries = (question.tries || 0) + 1;
      typedLast[s] = typed;
      if (v.ok) {
        done[s] = { state: "right", typed: typed, tries: question.tries };
        refresh(s);
      } else {
        feedback.textContent = v.text;
        feedback.className = "feedback wrong";
        input.select();
      }
    }
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); submit(); return; }
      if (event.key === "ArrowDown") { event.preventDefault(); go(s + 1); return; }
      if (event.key === "ArrowUp") { event.preventDefault(); go(s - 1); return; }
      event.stopPropagation(); // the arrows ← → move the cursor in the box, not the step
    });
    check.addEventListener("click", submit);
    reveal.addEventListener("click", function () {
      done[s] = { state: "revealed", typed: "", tries: question.tries || 0 };
      refresh(s);
    });
    setTimeout(function () { input.focus(); }, 0);
  }

  function decimalsOf(text) {
    var m = /^[+-]?(\d+)(?:\.(\d*))?$|^[+-]?\.(\d+)$/.exec(text);
    if (!m) return -1;
    return (m[2] || m[3] || "").length;
  }

  function close(claim, truth, unit) {
    // the checker's precision rule (autograd/handcalc/precision.py: close)
    var slack = 1e-9 * unit + 1e-12 * Math.abs(truth);
    return isFinite(truth) && Math.abs(truth - claim) <= unit / 2 + slack;
  }

  function verdict(question, typed) {
    var d = decimalsOf(typed);
    if (d < 0) return { format: true, text: "Type a number, e.g. 0.123 (then Enter)." };
    if (d < data.decimals) {
      return { format: true, text: "Write it with " + data.decimals + " decimals, e.g. " + question.text.replace(/\d/g, "0") + "." };
    }
    var unit = Math.pow(10, -d);
    var claim = parseFloat(typed);
    if (close(claim, question.true, unit)) return { ok: true, text: "Right." };
    for (var i = 0; i < question.slips.length; i++) {
      if (close(claim, question.slips[i].value, unit)) {
        return { ok: false, text: "Not yet. Hint: " + question.slips[i].hint };
      }
    }
    return { ok: false, text: "Not yet: check this step's calculation (Reveal shows the number)." };
  }

  function refresh(s) {
    paintDiagram(s);
    paintPanel(s);
    score();
  }

  function score() {
    var el2 = document.getElementById("score");
    if (!practice || !el2) return;
    var keys = Object.keys(questions);
    var right = 0, first = 0, revealed = 0, saved = 0;
    keys.forEach(function (k) {
      var d = done[k];
      if (!d) return;
      if (d.state === "right") { right++; if (d.tries === 1) first++; }
      else if (d.state === "saved") saved++;
      else revealed++;
    });
    var answered = right + revealed + saved;
    var text = answered + " of " + keys.length + " answered";
    if (answered === keys.length) {
      var numbers = keys.length - saved;
      text = "Score: " + right + " of " + numbers + " right (" + first + " at the first try, " + revealed + " revealed)";
      if (saved) text += "; " + saved + " expressions saved for the checker";
    }
    el2.textContent = text;
    el2.className = answered === keys.length ? "finished" : "";
  }

  function sheetText() {
    var text = practice.sheet.text;
    Object.keys(questions).forEach(function (k) {
      var q = questions[k];
      var mine = done[k] && (done[k].state === "right" || done[k].state === "saved");
      var typed = mine ? done[k].typed : (typedLast[k] || "");
      var written = q.expression ? JSON.stringify(typed) : (decimalsOf(typed) >= 0 ? typed : '""');
      text = text.split("@@" + q.key + "@@").join(written);
    });
    return text.replace(/@@[^@\n]+@@/g, '""');
  }

  if (practice) {
    var download = document.getElementById("download");
    if (!practice.sheet) {
      download.hidden = true;
    } else {
      download.addEventListener("click", function () {
        var blob = new Blob([sheetText()], { type: "application/toml" });
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = practice.sheet.name;
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      });
    }
    window.autogradPracticeSheet = function () { return practice.sheet ? sheetText() : null; };
    // for tests/test_practice.py: the rule is the checker's (autograd/handcalc/precision.py)
    window.autogradPracticeRule = { close: close, decimalsOf: decimalsOf };
    score();
  }

  function go(s) {
    s = Math.max(0, Math.min(total - 1, s));
    paintDiagram(s);
    paintPanel(s);
    current = s;
    document.getElementById("counter").textContent = "Step " + (s + 1) + " of " + total;
    document.getElementById("scrub").value = String(s + 1);
    document.getElementById("first").disabled = s === 0;
    document.getElementById("prev").disabled = s === 0;
    document.getElementById("next").disabled = s === total - 1;
    document.getElementById("last").disabled = s === total - 1;
    try {
      history.replaceState(null, "", "#step-" + (s + 1));
    } catch (e) {
      // about:srcdoc (the notebook iframe) has no history to write to; nothing to keep.
    }
  }

  document.getElementById("first").addEventListener("click", function () { go(0); });
  document.getElementById("prev").addEventListener("click", function () { go(current - 1); });
  document.getElementById("next").addEventListener("click", function () { go(current + 1); });
  document.getElementById("last").addEventListener("click", function () { go(total - 1); });
  document.getElementById("scrub").addEventListener("input", function (event) {
    go(parseInt(event.target.value, 10) - 1);
  });
  document.addEventListener("keydown", function (event) {
    // The slider moves itself with the arrow keys; stepping here too would skip a step.
    if (event.target && event.target.id === "scrub") return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var keys = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: total - 1 };
    var onButton = event.target && /^(button|input)$/i.test(event.target.tagName || "");
    if (practice && !onButton) keys.Enter = current + 1; // a step with nothing to type
    if (!keys.hasOwnProperty(event.key)) return;
    event.preventDefault();
    go(keys[event.key]);
  });

  var start = /^#step-(\d+)$/.exec(location.hash);
  go(start ? parseInt(start[1], 10) - 1 : 0);
})();
