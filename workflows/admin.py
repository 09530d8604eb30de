"""The workflows app's admin: viewflow's processes and tasks, and each capability's models.

viewflow registers its own pages for processes and tasks; they show a flow by its docstring,
a task by its node's attribute name ("Verify") and its type and status by their codes
("HUMAN", "DONE"), in English on a Chinese page. They are registered again here and show the
flow's title, the node's title, the type and the status by their labels in the reader's
language. Each capability package registers its own models (``<package>.admin``).
"""

from __future__ import annotations

from django.contrib import admin, auth
from django.db.models import Q
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.admin import FlowClassListFilter
from viewflow.workflow.fields import get_flow_ref
from viewflow.workflow.models import Process, Task

import workflows.lists.admin  # noqa: F401
import workflows.repair.admin  # noqa: F401
import workflows.verification.admin  # noqa: F401
from directory.admin.parts import NamedObjectsMixin

# viewflow's node types (``Node.task_type``), as the task table stores them.
TASK_TYPES = {
    "START": _("Start"),
    "HUMAN_START": _("Started by a person"),
    "HUMAN": _("Task for a person"),
    "FUNCTION": _("Step the platform runs"),
    "JOB": _("Background job"),
    "TIMER": _("Timer"),
    "EVENT": _("Event"),
    "CONDITION": _("Condition"),
    "SWITCH": _("Choice of path"),
    "EXCLUSIVE_GATEWAY": _("Choice of path"),
    "PARALLEL_GATEWAY": _("Split into parallel steps"),
    "JOIN": _("Join of parallel steps"),
    "END": _("End"),
    "OBSOLETE": _("Step no longer in the flow"),
}


def flow_title(process: Process) -> str:
    """The flow's translated title (``Flow.process_title``), or nothing for an unknown flow."""
    return str(process.flow_class.process_title) if process.flow_class is not None else ""


def task_title(task: Task) -> str:
    """The node's translated title (its ``Annotation``), else its name as viewflow gives it."""
    if task.flow_task is None:
        return ""
    return str(task.flow_task.task_title or task.flow_task)


def task_type_label(task: Task) -> str:
    return str(TASK_TYPES.get(task.flow_task_type, task.flow_task_type))


def task_text(task: Task) -> str:
    """A task as the admin names it: its process, its step and its status, all translated."""
    return gettext("%(process)s: %(task)s (%(status)s)") % {
        "process": str(task.process) if task.process_id else "",
        "task": task_title(task),
        "status": task.get_status_display(),
    }


class TaskFlowListFilter(FlowClassListFilter):
    """Tasks filtered by their process's flow, each flow by its translated title."""

    parameter_name = "process__flow_class"

    def lookups(self, request, model_admin):
        flows = (
            Process._default_manager.order_by("flow_class")
            .values_list("flow_class", flat=True)
            .distinct()
        )
        return [(get_flow_ref(flow), flow.process_title) for flow in flows if flow is not None]

    def queryset(self, request, queryset):
        return queryset.filter(process__flow_class=self.value()) if self.value() else queryset


class TaskDisplayMixin:
    @admin.display(description=_("step"))
    def step(self, task: Task) -> str:
        return task_title(task)

    @admin.display(description=_("kind of step"))
    def kind_of_step(self, task: Task) -> str:
        return task_type_label(task)


class ProcessTaskInline(TaskDisplayMixin, admin.TabularInline):
    """The process's tasks, read-only: they change only as the flow runs."""

    model = Task
    template = "admin/viewflow/process/task_inline.html"
    show_change_link = True
    fields = ["step", "kind_of_step", "status", "owner", "created", "finished"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.unregister(Process)
admin.site.unregister(Task)


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    """Every process of every flow, by the flow's title and the status's label."""

    actions = None
    date_hierarchy = "created"
    list_display = ["number", "created", "flow", "status", "participants"]
    list_display_links = ["number", "created", "flow"]
    list_filter = ["status", FlowClassListFilter]
    fields = ["flow", "status", "created", "finished", "parent_task"]
    readonly_fields = fields
    inlines = [ProcessTaskInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("task_set__owner")

    @admin.display(description=_("number"), ordering="pk")
    def number(self, process: Process) -> int:
        return process.pk

    @admin.display(description=_("flow"), ordering="flow_class")
    def flow(self, process: Process) -> str:
        return flow_title(process)

    @admin.display(description=_("participants"))
    def participants(self, process: Process) -> str:
        username_field = auth.get_user_model().USERNAME_FIELD
        owners = {
            getattr(task.owner, username_field) for task in process.task_set.all() if task.owner
        }
        return ", ".join(sorted(owners))


@admin.register(Task)
class TaskAdmin(NamedObjectsMixin, TaskDisplayMixin, admin.ModelAdmin):
    """Every task, by its process, its step's title and its status's label."""

    actions = None
    date_hierarchy = "created"
    list_display = [
        "number",
        "created",
        "process",
        "step",
        "status",
        "owner",
        "started",
        "finished",
    ]
    list_display_links = ["number", "created", "process"]
    list_filter = ["status", TaskFlowListFilter]
    list_select_related = ["process", "owner"]
    fields = [
        "process",
        "step",
        "kind_of_step",
        "status",
        "owner",
        "owner_permission",
        "created",
        "assigned",
        "started",
        "finished",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("number"), ordering="pk")
    def number(self, task: Task) -> int:
        return task.pk

    def object_text(self, task: Task) -> str:
        return task_text(task)

    def related_lines(self, task: Task, lines: list) -> list:
        """The links between steps deleted with the task, each by the steps it joins
        (Django names them "Task_previous object (4)")."""
        through = Task.previous.through
        prefix = f"{capfirst(through._meta.verbose_name)}: "
        links = through.objects.filter(Q(from_task=task) | Q(to_task=task)).select_related(
            "from_task__process", "to_task__process"
        )
        named = [
            format_html(
                "{}{}",
                prefix,
                gettext("from %(earlier)s to %(later)s")
                % {"earlier": task_text(link.to_task), "later": task_text(link.from_task)},
            )
            for link in links
        ]
        others = [line for line in lines if not (isinstance(line, str) and line.startswith(prefix))]
        return [*named, *others]
