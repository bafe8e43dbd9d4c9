"""The course and the LMS (Canvas, Moodle...): launch, grade passback, the Canvas file.

- :mod:`instructor.lms.config`: the LMS settings in ``nbgrader_config.py`` (``LtiPlatform``,
  ``CanvasExport``) and :class:`~instructor.lms.config.LmsError`;
- :mod:`instructor.lms.lti`: the JupyterHub settings of an LTI 1.3 launch, students mapped
  from their LMS user id to their nbgrader id (``lti_hub_settings``);
- :mod:`instructor.lms.ags`: grade passback over LTI Advantage's Assignment and Grade
  Services (``push_scores``, ``workbook grades push``);
- :mod:`instructor.lms.keys`: the tool's signing key (``workbook grades key``);
- :mod:`instructor.lms.canvas`: ``report/canvas.csv`` as Canvas's gradebook importer reads it;
- :mod:`instructor.lms.commands`: the ``workbook grades`` command line.
"""
